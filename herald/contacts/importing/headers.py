"""Which column is which: the fields an import reads, the names each is known by (English and Chinese,
simplified and traditional), and a file's header mapped to them."""

from __future__ import annotations

import re
import unicodedata

from herald.errors import Invalid

FIELDS = (
    "phone",
    "phone_extension",
    "email",
    "name",
    "first_name",
    "last_name",
    "country",
    "external_id",
    "timezone",
    "consent_sms",
    "consent_whatsapp",
    "consent_email",
    "consent_source",
    "consent_at",
    "consent_evidence",
    "consent_ip",
    "tags",
)
ALIASES = {
    "phone": [
        "phone",
        "mobile",
        "msisdn",
        "cell",
        "phone_number",
        "mobile_number",
        "tel",
        "telephone",
        "手机",
        "手机号",
        "手机号码",
        "电话",
        "电话号码",
        "手機",
        "手機號",
        "手機號碼",
        "電話",
        "電話號碼",
    ],
    "phone_extension": ["phone_extension", "extension", "ext", "分机", "分机号"],
    "email": ["email", "e_mail", "mail", "email_address", "邮箱", "电子邮件", "邮件", "郵箱", "電子郵件", "郵件"],
    "name": ["name", "full_name", "fullname", "contact_name", "姓名", "名字", "客户姓名", "会员姓名", "联系人"],
    "first_name": ["first_name", "firstname", "given_name", "forename", "名"],
    "last_name": ["last_name", "lastname", "surname", "family_name", "姓"],
    "country": ["country", "country_code", "region", "国家", "地区", "國家", "地區"],
    "external_id": ["external_id", "id", "customer_id", "member_id", "客户编号", "会员编号"],
    "timezone": ["timezone", "time_zone", "tz", "时区"],
    "tags": ["tags", "tag", "labels", "label", "标签", "標籤"],
    "consent_sms": [
        "consent_sms",
        "sms_consent",
        "sms_opt_in",
        "短信同意",
        "同意短信",
        "接收短信",
        "短信营销同意",
        "簡訊同意",
        "同意簡訊",
    ],
    "consent_whatsapp": ["consent_whatsapp", "whatsapp_consent", "whatsapp_opt_in", "whatsapp同意", "同意whatsapp"],
    "consent_email": ["consent_email", "email_consent", "email_opt_in", "邮件同意", "同意邮件", "接收邮件", "郵件同意"],
    "consent_source": ["consent_source", "opt_in_source", "同意来源", "同意來源", "来源渠道"],
    "consent_at": ["consent_at", "consent_time", "consented_at", "opt_in_date", "opt_in_time", "同意时间"],
    "consent_evidence": ["consent_evidence", "consent_proof", "opt_in_evidence", "同意凭证"],
    "consent_ip": ["consent_ip", "opt_in_ip", "ip", "ip_address"],
}
# Columns of `herald contacts export` that are derived or Herald's own: an export imports back as it is.
DERIVED = {"herald_id", "phone_timezones", "carrier", "line_type", "created_at", "updated_at"}


def header_key(name: str) -> str:
    """A header as it is matched: NFKC, lower case, spaces, dashes, dots and slashes as one underscore."""
    return re.sub(r"[\s\-./]+", "_", unicodedata.normalize("NFKC", name).strip().lower()).strip("_")


ALIAS_INDEX = {header_key(a): f for f, names in ALIASES.items() for a in names}


def map_headers(headers: list[str], explicit: dict[str, str], unknown: str) -> dict[int, str]:
    """Column index -> field (or `attr.NAME`); unknown columns are an error unless told otherwise."""
    targets = {header_key(k): v for k, v in explicit.items()}
    for value in targets.values():
        if value not in FIELDS and value != "ignore" and not value.startswith("attr."):
            raise Invalid(
                f"{value!r} is not a field (use one of {', '.join(FIELDS)}, attr.NAME or ignore)", where="--map"
            )
    mapping: dict[int, str] = {}
    strangers = []
    for index, raw in enumerate(headers):
        key = header_key(raw)
        if not key:
            continue  # an unnamed column (a sheet's margin); values found in it are reported per row
        target = targets.get(key) or ALIAS_INDEX.get(key)
        if target is None and key in DERIVED:
            continue  # a column of Herald's own export, worked out again from the number
        if target is None and key.startswith("attr_") and raw.strip().lower().startswith("attr."):
            target = f"attr.{key[5:]}"
        if target is None and unknown == "attribute" and key:
            target = f"attr.{key}"
        if target is None and unknown != "ignore":
            strangers.append(raw)
        elif target and target != "ignore":
            if target in mapping.values():
                raise Invalid(f"columns map twice to {target!r} (second: {raw!r})", where="header")
            mapping[index] = target
    if strangers:
        more = f" and {len(strangers) - 10} more" if len(strangers) > 10 else ""
        named = ", ".join(map(repr, strangers[:10])) + more
        raise Invalid(
            f"unknown column(s) {named}; map them with --map COLUMN=FIELD "
            f"(fields: {', '.join(FIELDS)}, attr.NAME, ignore) or pass --unknown attribute",
            where="header",
        )
    if not {"phone", "email"} & set(mapping.values()):
        raise Invalid("no phone or email column found", where="header")
    return mapping
