"""Template rendering in an immutable Jinja2 sandbox. Pure.

The sandbox stops escapes, not exhaustion, so a template is checked at save time against an allow-list
of constructs (output, variables, attribute access, a few filters, if/else) and output is capped at render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from herald.errors import Invalid

ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Filter,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Keyword,
)
ALLOWED_FILTERS = frozenset(
    {
        "default",
        "d",
        "upper",
        "lower",
        "title",
        "capitalize",
        "trim",
        "truncate",
        "replace",
        "string",
        "int",
        "round",
        "e",
        "escape",
    }
)
VARIABLES = frozenset({"name", "first_name", "phone", "email", "region", "attr", "campaign"})
MAX_OUTPUT = 20_000


class MissingValue(StrictUndefined):
    """Printing or iterating a missing value fails (the recipient is skipped with the reason), but
    testing it is allowed: `{% if city %}` and `region == 'NP'` are simply false."""

    __bool__ = Undefined.__bool__
    __eq__ = Undefined.__eq__
    __ne__ = Undefined.__ne__
    __hash__ = Undefined.__hash__


class RenderError(Exception):
    """A template could not be rendered for one recipient; the message says why."""


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(undefined=MissingValue, autoescape=False, keep_trailing_newline=True)


def check(source: str, where: str = "template") -> frozenset[str]:
    """Validate a template at save time; returns the variables it uses."""
    env = environment()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise Invalid(exc.message or "syntax error", where=f"{where} line {exc.lineno}") from None
    for node in _walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            raise Invalid(
                f"{type(node).__name__.lower()} is not allowed in templates", where=f"{where} line {node.lineno}"
            )
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise Invalid(
                f"filter {node.name!r} is not allowed (allowed: {', '.join(sorted(ALLOWED_FILTERS))})",
                where=f"{where} line {node.lineno}",
            )
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise Invalid(f"attribute {node.attr!r} is not allowed", where=f"{where} line {node.lineno}")
    used = frozenset(meta.find_undeclared_variables(tree))
    unknown = sorted(used - VARIABLES)
    if unknown:
        raise Invalid(f"unknown variable(s) {', '.join(unknown)} (known: {', '.join(sorted(VARIABLES))})", where=where)
    return used


def _walk(node: nodes.Node) -> Iterable[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


@lru_cache(maxsize=256)
def _compiled(source: str):
    return environment().from_string(source)


def render(source: str, context: Mapping[str, object], limit: int = MAX_OUTPUT) -> str:
    """Render a checked template for one recipient; a missing variable or oversize output raises RenderError."""
    out, size = [], 0
    try:
        for chunk in _compiled(source).generate(**context):
            size += len(chunk)
            if size > limit:
                raise RenderError(f"output longer than {limit} characters")
            out.append(chunk)
    except UndefinedError as exc:
        raise RenderError(f"missing variable: {exc.message}") from None
    except SecurityError as exc:
        raise RenderError(f"refused by the sandbox: {exc}") from None
    return "".join(out)
