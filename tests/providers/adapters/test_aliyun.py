"""The Aliyun provider against a stand-in of Alibaba Cloud SMS (dysmsapi 2017-05-25)."""

import asyncio
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest

from herald.providers import Accepted, AliyunProvider, Outgoing, Permanent, Retryable, Uncertain
from herald.providers.adapters.aliyun import EMPTY_SHA256, answer, canonical_query, send_params, signed_request
from herald.sandbox.aliyun import KEY_ID, SECRET, SIGN, FakeAliyun, running

TEMPLATE = {"template_code": "SMS_154950909", "template_param": {"name": "李雷", "code": "WINTER 20%"}}
AT = datetime(2026, 12, 5, 9, 1, 1, tzinfo=UTC)


def message(i: int, to: str, template: dict | None = TEMPLATE) -> Outgoing:
    payload = {"aliyun": template} if template else {}
    return Outgoing(i, f"c1:{i}:0", "sms", to, "【Herald】李雷，冬季特卖 WINTER 20%，回T退订", payload=payload)


def provider(url: str, **options) -> AliyunProvider:
    return AliyunProvider(KEY_ID, options.pop("secret", SECRET), options.pop("sign", SIGN), url, **options)


def test_send_sms_carries_the_signature_the_template_its_values_and_the_reference() -> None:
    assert send_params(message(7, "+8613800138000"), "Herald") == {
        "PhoneNumbers": "8613800138000",
        "SignName": "Herald",
        "TemplateCode": "SMS_154950909",
        "OutId": "7",
        "TemplateParam": '{"name":"李雷","code":"WINTER 20%"}',
    }
    assert "TemplateParam" not in send_params(message(8, "+852", {"template_code": "SMS_1", "template_param": {}}), "H")
    assert send_params(message(9, "+8613800138000", None), "Herald") is None
    own = replace(message(10, "+8613800138000"), sender="赫拉德商城")
    assert (send_params(own, "Herald") or {}).get("SignName") == "赫拉德商城"


def test_the_request_is_signed_by_the_v3_scheme_over_the_canonical_request() -> None:
    params = {"TemplateParam": '{"name":"李 雷*"}', "PhoneNumbers": "8613800138000", "SignName": "Herald"}
    url, headers = signed_request("https://dysmsapi.aliyuncs.com", "AKID", "secret", "SendSms", params, AT, "n1")
    query = "PhoneNumbers=8613800138000&SignName=Herald&TemplateParam=%7B%22name%22%3A%22%E6%9D%8E%20%E9%9B%B7%2A%22%7D"
    assert url == f"https://dysmsapi.aliyuncs.com/?{query}" and canonical_query(params) == query
    assert dict(parse_qsl(urlsplit(url).query)) == params
    lines = [
        "POST",
        "/",
        query,
        "host:dysmsapi.aliyuncs.com",
        "x-acs-action:SendSms",
        f"x-acs-content-sha256:{EMPTY_SHA256}",
        "x-acs-date:2026-12-05T09:01:01Z",
        "x-acs-signature-nonce:n1",
        "x-acs-version:2017-05-25",
        "",
        "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
        EMPTY_SHA256,
    ]
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256("\n".join(lines).encode()).hexdigest()
    expected = hmac.new(b"secret", to_sign.encode(), hashlib.sha256).hexdigest()
    assert headers["Authorization"] == (
        "ACS3-HMAC-SHA256 Credential=AKID,"
        "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
        f"Signature={expected}"
    )


@pytest.mark.parametrize(
    ("status", "headers", "body", "result"),
    [
        (200, {}, {"Code": "OK", "Message": "OK", "BizId": "9006^1"}, Accepted("9006^1")),
        (
            200,
            {},
            {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发小时级流控Permits:5"},
            Retryable("isv.BUSINESS_LIMIT_CONTROL: 触发小时级流控Permits:5", 3600.0),
        ),
        (
            200,
            {},
            {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控Permits:10"},
            Retryable("isv.BUSINESS_LIMIT_CONTROL: 触发天级流控Permits:10", 86400.0),
        ),
        (
            200,
            {},
            {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "流控"},
            Retryable("isv.BUSINESS_LIMIT_CONTROL: 流控", 60.0),
        ),
        (
            200,
            {},
            {"Code": "isv.AMOUNT_NOT_ENOUGH", "Message": "账户余额不足"},
            Retryable("isv.AMOUNT_NOT_ENOUGH: 账户余额不足", fatal=True),
        ),
        (
            200,
            {},
            {"Code": "isv.OUT_OF_SERVICE", "Message": "业务停机"},
            Retryable("isv.OUT_OF_SERVICE: 业务停机", fatal=True),
        ),
        (403, {}, {"Code": "Forbidden.X", "Message": "no"}, Retryable("Forbidden.X: no", fatal=True)),
        (
            400,
            {},
            {"Code": "Throttling.User", "Message": "slow"},
            Retryable("Throttling.User: slow", None, fault=False),
        ),
        (429, {"Retry-After": "3"}, {}, Retryable("429: {}", 3.0)),
        (503, {}, {"Code": "isp.SYSTEM_ERROR", "Message": "x"}, Retryable("isp.SYSTEM_ERROR: x", None, fault=True)),
        (
            200,
            {},
            {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"},
            Permanent("isv.MOBILE_NUMBER_ILLEGAL: 非法手机号", "isv.MOBILE_NUMBER_ILLEGAL", suppress="invalid"),
        ),
        (
            200,
            {},
            {"Code": "isv.BLACK_KEY_CONTROL_LIMIT", "Message": "黑名单管控"},
            Permanent("isv.BLACK_KEY_CONTROL_LIMIT: 黑名单管控", "isv.BLACK_KEY_CONTROL_LIMIT"),
        ),
        (200, {}, {"Code": "OK"}, Permanent('OK: {"Code": "OK"}', "OK")),
    ],
)
def test_aliyuns_answers_are_mapped_once(status, headers, body, result) -> None:
    assert answer(status, headers, json.dumps(body, ensure_ascii=False)) == result


def test_an_answer_that_is_not_json_keeps_its_text() -> None:
    assert answer(502, {}, "<html>bad gateway</html>") == Retryable("502: <html>bad gateway</html>", None, fault=True)
    assert answer(200, {}, "[]") == Permanent("200: []", "200")


def test_messages_are_taken_and_errors_keep_aliyuns_code() -> None:
    numbers = ["+8613800138001", "+8613800138002", "+8613800138003", "+8613800138004"]
    faults = {"8613800138002": "illegal", "8613800138003": "limited", "8613800138004": "no-balance"}
    with running(FakeAliyun(faults=faults)) as aliyun:
        results = asyncio.run(provider(aliyun.url).send([message(i, n) for i, n in enumerate(numbers, 1)]))
    assert isinstance(results[0], Accepted) and "^" in results[0].provider_message_id
    assert results[1] == Permanent(
        "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号", "isv.MOBILE_NUMBER_ILLEGAL", suppress="invalid"
    )
    assert results[2] == Retryable("isv.BUSINESS_LIMIT_CONTROL: 触发分钟级流控Permits:1", 60.0)
    assert isinstance(results[3], Retryable) and results[3].fatal
    assert [(p["PhoneNumbers"], p["OutId"], json.loads(p["TemplateParam"])) for p in aliyun.sent] == [
        ("8613800138001", "1", {"name": "李雷", "code": "WINTER 20%"})
    ]
    assert aliyun.refused == []


def test_a_wrong_secret_pauses_the_account_and_a_version_without_a_template_code_is_not_sent() -> None:
    with running(FakeAliyun()) as aliyun:
        [refused] = asyncio.run(provider(aliyun.url, secret="wrong").send([message(1, "+8613800138000")]))
        [bare] = asyncio.run(provider(aliyun.url).send([message(2, "+8613800138000", None)]))
        [unsigned] = asyncio.run(provider(aliyun.url, sign="Other").send([message(3, "+8613800138000")]))
    assert refused == Retryable(
        "SignatureDoesNotMatch: Specified signature is not matched with our calculation.", fatal=True
    )
    assert aliyun.refused == ["SignatureDoesNotMatch"]
    assert isinstance(bare, Permanent) and "names no [sms.aliyun] template_code" in bare.reason
    assert unsigned == Retryable("isv.SMS_SIGNATURE_ILLEGAL: 短信签名不合法", fatal=True) and aliyun.sent == []


def test_the_stand_in_refuses_a_replayed_nonce_and_a_template_missing_a_variable() -> None:
    async def replay(url: str) -> list[str]:
        params = {"PhoneNumbers": "8613800138000", "SignName": SIGN, "TemplateCode": "SMS_154950910"}
        params["TemplateParam"] = '{"name":"Li"}'
        signed, headers = signed_request(url, KEY_ID, SECRET, "SendSms", params, datetime.now(UTC), "same-nonce")
        async with aiohttp.ClientSession() as session:
            codes = []
            for _ in range(2):
                async with session.post(signed, headers=headers) as response:
                    codes.append((await response.json())["Code"])
            return codes

    missing = {"template_code": "SMS_154950909", "template_param": {"name": "Li"}}
    with running(FakeAliyun()) as aliyun:
        assert asyncio.run(replay(aliyun.url)) == ["OK", "SignatureNonceUsed"]
        [result] = asyncio.run(provider(aliyun.url).send([message(1, "+8613800138000", missing)]))
    assert result == Permanent("isv.TEMPLATE_MISSING_PARAMETERS: 模板缺少变量", "isv.TEMPLATE_MISSING_PARAMETERS")


def test_no_answer_is_uncertain_because_aliyun_does_not_deduplicate() -> None:
    with running(FakeAliyun(faults={"8613800138000": "hang"})) as aliyun:
        [result] = asyncio.run(provider(aliyun.url, timeout=0.5).send([message(1, "+8613800138000")]))
        url = aliyun.url
    assert isinstance(result, Uncertain) and len(aliyun.sent) == 1
    [result] = asyncio.run(provider(url, timeout=1).send([message(2, "+8613800138000")]))
    assert isinstance(result, Retryable) and result.fault and result.reason.startswith("cannot connect to Aliyun")


def test_the_check_asks_for_the_signature() -> None:
    with running(FakeAliyun()) as aliyun:
        good = asyncio.run(provider(aliyun.url).check())
        unknown = asyncio.run(provider(aliyun.url, sign="Nobody").check())
        wrong = asyncio.run(provider(aliyun.url, secret="wrong").check())
    assert (good.ok, good.detail) == (True, "signature 【Herald】 is approved")
    assert (unknown.ok, unknown.detail) == (False, "isv.SMS_SIGN_ILLEGAL: 签名不存在")
    assert not wrong.ok and wrong.detail.startswith("SignatureDoesNotMatch")
