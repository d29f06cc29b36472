"""Templates a vendor approved and keeps by its own code: an SMS version's `aliyun` table, and the lint
rule that says when a route cannot carry a version. Pure.

Aliyun sends no free text to mainland China: it sends a template it approved, by code, with the values
of that template's `${name}` variables. A Herald SMS version names the code and maps each variable to one
of Herald's expressions; the body stays what the recipient reads (Herald's record and preview):

    [sms]
    body = "【Herald】{{ first_name }}，您的优惠码 {{ coupon.spring }}，回T退订"
    [sms.aliyun]
    template_code = "SMS_154950909"
    params = { name = "first_name", code = "coupon.spring" }
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from herald.errors import Invalid

VENDORS = ("aliyun",)  # vendors that send only templates they approved, by code
TEMPLATE_CODE = re.compile(r"^SMS_\d{3,20}$")
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
NAMES = {"aliyun": "Aliyun"}


def validate_aliyun(data: Any, where: str) -> dict[str, Any]:
    """An SMS version's `aliyun` table: an approved template code and its variables' expressions."""
    where = f"{where} aliyun"
    if not isinstance(data, Mapping):
        raise Invalid("expected a table with template_code and params", where=where)
    unknown = sorted(set(data) - {"template_code", "params"})
    if unknown:
        raise Invalid(f"unknown field(s) {', '.join(unknown)} (allowed: params, template_code)", where=where)
    code = data.get("template_code")
    if not isinstance(code, str) or not TEMPLATE_CODE.match(code):
        raise Invalid(
            f"expected Aliyun's template code, like SMS_154950909, got {code!r}", where=f"{where} template_code"
        )
    params = data.get("params") or {}
    if not isinstance(params, Mapping):
        raise Invalid("expected a table of variable = expression", where=f"{where} params")
    for name, expr in params.items():
        if not VARIABLE.match(str(name)):
            raise Invalid("a variable name is letters, digits and _", where=f"{where} params {name}")
        if not isinstance(expr, str) or not expr.strip():
            raise Invalid("expected a Herald expression, like first_name", where=f"{where} params {name}")
    return {"template_code": code, "params": {str(k): v.strip() for k, v in params.items()}}


def expressions(content: Mapping[str, Any]) -> dict[str, str]:
    """Each vendor template variable's Herald expression, keyed `aliyun.NAME`."""
    table = content.get("aliyun") or {}
    return {f"aliyun.{name}": expr for name, expr in table.get("params", {}).items()}


def codes(content: Mapping[str, Any]) -> frozenset[str]:
    """The vendors whose approved template a version names."""
    return frozenset(v for v in VENDORS if isinstance(content.get(v), Mapping) and content[v].get("template_code"))


@dataclass(frozen=True)
class TemplateRoute:
    """One route of a channel, as lint needs it: where it goes, its accounts that send only their vendor's
    approved templates (account, vendor), and how many of its accounts send any text."""

    channel: str
    where: str  # "sms" or "sms to CN"
    templated: tuple[tuple[str, str], ...]
    free: int


def route_findings(channel: str, have: frozenset[str], routes: tuple[TemplateRoute, ...]) -> list[tuple[str, str]]:
    """(severity, message) for each route of the channel some account of which cannot carry the version:
    an error when none can (those messages would all fail), a warning when the route fails over."""
    found = []
    for route in routes:
        missing = [(a, v) for a, v in route.templated if v not in have]
        if route.channel != channel or not missing:
            continue
        accounts = ", ".join(f"{a} ({NAMES[v]})" for a, v in missing)
        vendors = sorted({v for _, v in missing})
        fix = " and ".join(f"[{channel}.{v}] template_code and params" for v in vendors)
        if route.free or len(missing) < len(route.templated):
            found.append(
                ("warning", f"{route.where} skips {accounts}, which send only templates they approved: add {fix}")
            )
        else:
            found.append(
                (
                    "error",
                    f"{route.where} goes only through {accounts}, which send only templates they approved: add {fix}",
                )
            )
    return found
