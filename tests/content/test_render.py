"""Sandboxed rendering and the save-time allow-list."""

from __future__ import annotations

import pytest

from herald.content.render import RenderError, check, render
from herald.errors import Invalid


def test_variables_filters_and_defaults_render() -> None:
    source = "Hi {{ first_name | default('there') | title }}, {{ attr.city | default('?') }}"
    assert render(source, {"first_name": "sita", "attr": {"city": "Pokhara"}}) == "Hi Sita, Pokhara"
    assert render(source, {"attr": {}}) == "Hi There, ?"


def test_missing_values_are_false_in_conditions() -> None:
    source = "{% if attr.city %}in {{ attr.city }}{% else %}nearby{% endif %}{% if region == 'NP' %}!{% endif %}"
    assert render(source, {"attr": {}}) == "nearby"
    assert render(source, {"attr": {"city": "Pokhara"}, "region": "NP"}) == "in Pokhara!"


def test_a_missing_variable_is_a_render_error_not_a_broken_message() -> None:
    with pytest.raises(RenderError, match="missing variable"):
        render("Hi {{ first_name }}", {})


def test_conditionals_are_allowed() -> None:
    source = "{% if region == 'NP' %}Namaste{% else %}Hello{% endif %} {{ name }}"
    assert check(source) == {"region", "name"}
    assert render(source, {"region": "NP", "name": "Sita"}) == "Namaste Sita"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Hi {{ name ", "line 1"),
        ("ok\n{% if %}", "line 2"),
        ("{% for i in range(9999999) %}x{% endfor %}", "for is not allowed"),
        ("{{ name.__class__ }}", "not allowed"),
        ("{{ name._secret }}", "attribute '_secret' is not allowed"),
        ("{{ name | attr('x') }}", "filter 'attr' is not allowed"),
        ("{{ 'x' * 10000000 }}", "mul is not allowed"),
        ("{{ unknown_thing }}", "unknown variable(s) unknown_thing"),
        ("{% set x = 1 %}", "assign is not allowed"),
        ("{{ lipsum() }}", "call is not allowed"),
        ("{% include 'x' %}", "include is not allowed"),
    ],
)
def test_unsafe_or_broken_templates_are_refused_at_save_time(source, message) -> None:
    with pytest.raises(Invalid) as err:
        check(source)
    assert message in str(err.value)


def test_output_is_capped() -> None:
    with pytest.raises(RenderError, match="longer than 50"):
        render("{{ name }}", {"name": "x" * 51}, limit=50)
    assert render("{{ name }}", {"name": "x" * 50}, limit=50) == "x" * 50


def test_methods_that_would_change_data_are_refused_by_the_sandbox() -> None:
    with pytest.raises(Invalid, match="refused by the sandbox"):  # the allow-list passes it, the trial render not
        check("{{ tags.append }}")
    with pytest.raises(RenderError, match="refused by the sandbox"):
        render("{{ tags.append }}", {"tags": ["vip"]})  # … and the immutable sandbox refuses it at send time


def test_attributes_of_contact_data_are_keys_never_methods() -> None:
    with pytest.raises(RenderError, match="missing variable"):
        render("{{ attr.update }}", {"attr": {}})
    assert render("{{ attr.update }}", {"attr": {"update": "weekly"}}) == "weekly"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{ first_name | truncate(2) }}", "AssertionError"),
        ("{{ name" + " | upper" * 200 + " }}", "SyntaxError"),
    ],
)
def test_a_template_that_cannot_render_is_refused_when_saved(source, reason) -> None:
    with pytest.raises(Invalid, match=f"cannot be rendered: could not render: {reason}"):
        check(source)


def test_whatever_goes_wrong_in_rendering_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="AssertionError"):
        render("{{ first_name | truncate(2) }}", {"first_name": "Sita"})
