"""The compiled renderer says exactly what the sandboxed Jinja2 environment says, on random templates."""

from __future__ import annotations

import random

import pytest
from jinja2 import UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from herald.content import render
from herald.content.codegen import Unsupported, compile_template
from herald.content.render import environment

NAMES = ["name", "first_name", "region", "attr", "tags", "local"]
LEAVES = ["name", "first_name", "region", "attr.city", "attr.tier", "attr['city']", "local.time", "'NP'", "3", "'x'"]
FILTERS = [
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "default('-')",
    "default('z', true)",
    "string",
    "truncate(5, true, '')",
    "replace('a', 'o')",
    "e",
    "int",
    "round",
]


def expression(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.35:
        return rng.choice(LEAVES)
    if roll < 0.6:
        return f"{expression(rng, depth + 1)} | {rng.choice(FILTERS)}"
    if roll < 0.7:
        return f"({expression(rng, depth + 1)} ~ {expression(rng, depth + 1)})"
    if roll < 0.8:
        return f"({expression(rng, depth + 1)} if {condition(rng, depth + 1)} else {expression(rng, depth + 1)})"
    if roll < 0.85:
        return f"({expression(rng, depth + 1)} if {condition(rng, depth + 1)})"
    return f"{rng.choice(['attr', 'local'])}[{rng.choice(['city', 'tier', 'time'])!r}]"


def condition(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.3:
        return rng.choice(LEAVES)
    if roll < 0.55:
        op = rng.choice(["==", "!=", "in", "not in", "<", ">="])
        return f"{expression(rng, depth + 1)} {op} {expression(rng, depth + 1)}"
    if roll < 0.7:
        return f"not {condition(rng, depth + 1)}"
    if roll < 0.85:
        return f"({condition(rng, depth + 1)} and {condition(rng, depth + 1)})"
    return f"({condition(rng, depth + 1)} or {condition(rng, depth + 1)})"


def template(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.4:
            parts.append(rng.choice(["Hi ", "<b>&</b> ", "{ }", "\n", "你好 ", "%s {0} "]))
        elif roll < 0.8 or depth > 1:
            parts.append("{{ " + expression(rng) + " }}")
        else:
            branch = "{% if " + condition(rng) + " %}" + template(rng, depth + 1)
            if rng.random() < 0.4:
                branch += "{% elif " + condition(rng) + " %}" + template(rng, depth + 1)
            if rng.random() < 0.5:
                branch += "{% else %}" + template(rng, depth + 1)
            parts.append(branch + "{% endif %}")
    return "".join(parts)


def context(rng: random.Random) -> dict:
    ctx = {}
    for key in NAMES:
        if rng.random() < 0.75:
            ctx[key] = {
                "name": lambda: rng.choice(["Sita Rai", "o'neil <x>", "  Ana  ", "12", "ÅSA"]),
                "first_name": lambda: rng.choice(["sita", "ANA", "Łukasz", "7"]),
                "region": lambda: rng.choice(["NP", "US", "CN"]),
                "attr": lambda: {
                    k: v
                    for k, v in {
                        "city": rng.choice(["Pokhara", "北京", "a&b"]),
                        "tier": rng.choice(["2", "gold", 3]),
                    }.items()
                    if rng.random() < 0.7
                },
                "tags": lambda: rng.sample(["vip", "new", "NP"], rng.randint(0, 3)),
                "local": lambda: {"time": rng.choice(["09:30", "21:05"]), "city": "Kathmandu"},
            }[key]()
    return ctx


def outcome(fn, ctx):
    try:
        return ("ok", fn(ctx))
    except UndefinedError:
        return ("undefined", None)
    except SecurityError:
        return ("security", None)
    except (TypeError, ValueError, OverflowError):
        return ("error", None)


@pytest.mark.parametrize("html", [False, True])
def test_it_matches_the_sandboxed_environment_on_random_templates(html) -> None:
    rng = random.Random(20261122 + html)
    env = environment()
    compared = 0
    for _ in range(600):
        source = template(rng)
        render.allowed(source)  # the constructs; whether it renders is what is compared below
        reference = env.from_string(source)
        if html:
            escaped = ImmutableSandboxedEnvironment(
                undefined=render.MissingValue, autoescape=True, keep_trailing_newline=True
            )
            reference = escaped.from_string(source)
        compiled = compile_template(env.parse(source), env, html=html)
        for _ in range(5):
            ctx = context(rng)
            expected = outcome(lambda c, ref=reference: ref.render(**c), ctx)
            got = outcome(compiled, ctx)
            assert got == expected, (source, ctx)
            compared += expected[0] == "ok"
    assert compared > 1000  # most cases rendered, so the comparison is about output, not only errors


@pytest.mark.parametrize(
    "source", ["{% for x in tags %}{{ x }}{% endfor %}", "{{ name | list }}", "{{ [1, 2] }}", "{{ name(1) }}"]
)
def test_constructs_outside_the_allow_list_are_not_compiled(source) -> None:
    env = environment()
    with pytest.raises(Unsupported):
        compile_template(env.parse(source), env, filters=render.ALLOWED_FILTERS)


def test_template_text_never_becomes_code() -> None:
    source = "\"}{__import__('os').system('echo pwned')}{\" {{ name }} ''' \\n"
    assert render.render(source, {"name": "x"}) == source.replace("{{ name }}", "x")


def test_filters_with_spread_arguments_are_not_compiled() -> None:
    env = environment()
    with pytest.raises(Unsupported, match="dynamic arguments"):
        compile_template(env.parse("{{ name | upper(*tags) }}"), env)
