"""Vendor-approved templates: an SMS version's Aliyun table, and what lint says of routes that need one."""

from __future__ import annotations

import pytest

from herald.content import channels, compose, lint_content
from herald.content.lint import Profile
from herald.content.render import RenderError
from herald.content.vendors import TemplateRoute, codes, expressions, route_findings, validate_aliyun
from herald.errors import Invalid

GOOD = {"template_code": "SMS_154950909", "params": {"name": " first_name ", "code": "coupon.spring"}}


@pytest.mark.parametrize(
    ("table", "where", "words"),
    [
        ("SMS_1", "t aliyun", "expected a table with template_code and params"),
        ({"template_code": "SMS_154950909", "sign": "x"}, "t aliyun", "unknown field(s) sign"),
        ({"params": {}}, "t aliyun template_code", "expected Aliyun's template code, like SMS_154950909, got None"),
        ({"template_code": "154950909"}, "t aliyun template_code", "got '154950909'"),
        ({"template_code": "SMS_154950909", "params": ["name"]}, "t aliyun params", "variable = expression"),
        ({"template_code": "SMS_154950909", "params": {"1name": "x"}}, "t aliyun params 1name", "letters, digits"),
        ({"template_code": "SMS_154950909", "params": {"name": " "}}, "t aliyun params name", "a Herald expression"),
        ({"template_code": "SMS_154950909", "params": {"name": 3}}, "t aliyun params name", "a Herald expression"),
    ],
)
def test_a_wrong_aliyun_table_is_refused_naming_the_field(table, where, words) -> None:
    with pytest.raises(Invalid) as err:
        validate_aliyun(table, "t")
    assert err.value.where == where and words in str(err.value)


def test_a_good_aliyun_table_is_kept_trimmed_and_its_expressions_and_code_are_known() -> None:
    table = validate_aliyun(GOOD, "t")
    assert table == {"template_code": "SMS_154950909", "params": {"name": "first_name", "code": "coupon.spring"}}
    assert validate_aliyun({"template_code": "SMS_154950910"}, "t")["params"] == {}
    content = {"body": "x", "aliyun": table}
    assert expressions(content) == {"aliyun.name": "first_name", "aliyun.code": "coupon.spring"}
    assert codes(content) == frozenset({"aliyun"}) and codes({"body": "x"}) == frozenset()
    assert expressions({"body": "x"}) == {}


def test_an_sms_version_with_an_aliyun_table_is_checked_and_composed_with_its_values() -> None:
    stored = channels.validate("sms", {"body": "Hi {{ first_name }}", "aliyun": GOOD}, "template 't'")
    assert stored["aliyun"]["params"]["name"] == "first_name"
    assert channels.jinja_fields("sms", stored)["aliyun.code"] == "{{ coupon.spring }}"
    composed = compose("sms", stored, {"first_name": "Li", "coupon": {"spring": "S-1"}})
    assert composed.body == "Hi Li"
    assert composed.payload == {
        "aliyun": {"template_code": "SMS_154950909", "template_param": {"name": "Li", "code": "S-1"}}
    }
    with pytest.raises(Invalid, match="parameter aliyun.name"):
        channels.validate("sms", {"body": "x", "aliyun": {**GOOD, "params": {"name": "nope"}}}, "t")
    with pytest.raises(RenderError, match="Aliyun variable name .first_name. is empty"):
        compose("sms", stored, {"first_name": "", "coupon": {"spring": "S-1"}})


ALONE = TemplateRoute("sms", "sms to CN", (("aliyun-cn", "aliyun"),), 0)
WITH_BACKUP = TemplateRoute("sms", "sms", (("aliyun-cn", "aliyun"),), 1)


@pytest.mark.parametrize(
    ("channel", "have", "routes", "found"),
    [
        ("email", frozenset(), (ALONE,), []),
        ("sms", frozenset({"aliyun"}), (ALONE, WITH_BACKUP), []),
        (
            "sms",
            frozenset(),
            (ALONE,),
            [
                (
                    "error",
                    "sms to CN goes only through aliyun-cn (Aliyun), which send only templates they approved: "
                    "add [sms.aliyun] template_code and params",
                )
            ],
        ),
        (
            "sms",
            frozenset(),
            (WITH_BACKUP,),
            [
                (
                    "warning",
                    "sms skips aliyun-cn (Aliyun), which send only templates they approved: "
                    "add [sms.aliyun] template_code and params",
                )
            ],
        ),
    ],
)
def test_routes_that_cannot_carry_a_version_are_named(channel, have, routes, found) -> None:
    assert route_findings(channel, have, routes) == found


def test_lint_reports_the_route_as_an_error_or_a_warning() -> None:
    profile = Profile(template_routes=(ALONE,))
    [finding] = lint_content("sms", "transactional", {"body": "Your code is 1234"}, profile)
    assert (finding.severity, finding.code, finding.field) == ("error", "vendor-template", "aliyun")
    named = {"body": "Your code is 1234", "aliyun": validate_aliyun(GOOD, "t")}
    assert [f.code for f in lint_content("sms", "transactional", named, profile)] == []
