"""Template rendering in an immutable Jinja2 sandbox. Pure.

The sandbox stops escapes, not exhaustion, so a template is checked at save time against an allow-list
of constructs (output, variables, attribute access, a few filters, if/else) and output is capped at render.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from time import perf_counter

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined, UndefinedError, meta, nodes, pass_eval_context
from jinja2.filters import FILTERS as DEFAULT_FILTERS
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from herald.content.codegen import compile_template
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
VARIABLES = frozenset(
    {"name", "first_name", "phone", "email", "region", "attr", "campaign", "tags", "local", "coupon", "locale"}
)
MAX_OUTPUT = 20_000
MAX_SECONDS = 0.05


class MissingValue(StrictUndefined):
    """Printing or iterating a missing value fails (the recipient is skipped with the reason), but
    testing it is allowed: `{% if city %}` and `region == 'NP'` are simply false."""

    # StrictUndefined makes these fail; the plain Undefined's answer them (types differ on purpose).
    __bool__ = Undefined.__bool__  # type: ignore[assignment]
    __eq__ = Undefined.__eq__  # type: ignore[assignment]
    __ne__ = Undefined.__ne__  # type: ignore[assignment]
    __hash__ = Undefined.__hash__  # type: ignore[assignment]


class RenderError(Exception):
    """A template could not be rendered for one recipient; the message says why."""


@lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(undefined=MissingValue, autoescape=False, keep_trailing_newline=True)


def check(source: str, where: str = "template") -> frozenset[str]:
    """Validate a template at save time: only allowed constructs, and it renders for the probe recipients;
    returns the variables it uses."""
    used = allowed(source, where)
    _probe(source, where)
    return used


def allowed(source: str, where: str = "template") -> frozenset[str]:
    """Check that a template uses only the allowed constructs, filters and variables; returns the variables."""
    env = environment()
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        column = error_column(source, exc.lineno, exc.message or "")
        raise Invalid(exc.message or "syntax error", where=f"{where} line {exc.lineno} column {column}") from None
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


# Recipients a template is tried on before it is saved: one with every value, one with the least a contact
# may have. A template that fails for them for any reason but a missing value would fail at send time.
PROBES: tuple[Mapping[str, object], ...] = (
    {
        "name": "Sita Sharma",
        "first_name": "Sita",
        "phone": "+9779841234567",
        "email": "sita@example.com",
        "region": "NP",
        "campaign": "Winter sale",
        "locale": "en",
        "tags": ["vip"],
        "coupon": {},
        "local": {"date": "2026-03-10", "time": "19:45", "weekday": "Tuesday", "zone": "Asia/Kathmandu"},
        "attr": {"city": "Pokhara"},
    },
    {"phone": "+8613800138000", "campaign": "x", "locale": "zh-CN", "tags": [], "coupon": {}, "attr": {}},
)


def _probe(source: str, where: str) -> None:
    for html in (False, True):
        for context in PROBES:
            try:
                _output(source, context, html)
            except RenderError as exc:
                if not str(exc).startswith("missing variable"):
                    raise Invalid(f"this template cannot be rendered: {exc}", where=where) from None


def error_column(source: str, lineno: int, message: str) -> int:
    """Best column for a syntax error (Jinja2 reports only the line): the token it names, else the last
    tag opened on that line, else 1."""
    lines = source.split("\n")
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    opened = max(line.rfind("{{"), line.rfind("{%"))
    got = re.search(r"got '([^']+)'", message)
    at = line.find(got.group(1), max(opened, 0)) if got else -1
    if at >= 0:
        return at + 1
    return opened + 1 if opened >= 0 else 1


@lru_cache(maxsize=512)
def coupon_pools(source: str) -> frozenset[str]:
    """The coupon pools a checked template draws from (`{{ coupon.spring }}` → spring)."""
    return frozenset(
        n.attr
        for n in _walk(environment().parse(source))
        if isinstance(n, nodes.Getattr) and isinstance(n.node, nodes.Name) and n.node.name == "coupon"
    )


def _walk(node: nodes.Node) -> Iterable[nodes.Node]:
    yield node
    for child in node.iter_child_nodes():
        yield from _walk(child)


@pass_eval_context
def guarded_replace(eval_ctx: EvalContext, value: object, old: str, new: str, count: int | None = None) -> str:
    """`replace`, refused before it runs when its result would pass the output cap: chained replaces
    are the one allowed construct that multiplies length (`replace('', 'xxxxxxxx')` eight times over)."""
    text, old, new = str(value), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        hits = min(hits, count)
    if len(text) + hits * (len(new) - len(old)) > MAX_OUTPUT:
        raise RenderError(f"replace() would produce more than {MAX_OUTPUT} characters")
    return str(DEFAULT_FILTERS["replace"](eval_ctx, value, old, new, count))


@lru_cache(maxsize=512)
def compiled(source: str, html: bool = False) -> Callable[[Mapping[str, object]], str]:
    """The render function of a checked template (cached: templates are compiled once per process)."""
    return compile_template(
        environment().parse(source), environment(), html, {"replace": guarded_replace}, ALLOWED_FILTERS
    )


def render(
    source: str, context: Mapping[str, object], limit: int = MAX_OUTPUT, html: bool = False, budget: float = MAX_SECONDS
) -> str:
    """Render a checked template for one recipient; a missing variable, an oversize output or a render
    over its time budget raises RenderError. `html` escapes every value (email HTML)."""
    started = perf_counter()
    text = _output(source, context, html)
    if len(text) > limit:
        raise RenderError(f"output longer than {limit} characters")
    if perf_counter() - started > budget:
        raise RenderError(f"rendering took longer than {budget:g} s")
    return text


def _output(source: str, context: Mapping[str, object], html: bool) -> str:
    """The rendered text, or RenderError saying why not. Whatever a template does wrong — a filter's own
    assertion, code too deep to compile — fails that one message, never the worker that renders it."""
    try:
        return compiled(source, html)(context)
    except RenderError:
        raise
    except UndefinedError as exc:
        raise RenderError(f"missing variable: {exc.message}") from None
    except SecurityError as exc:
        raise RenderError(f"refused by the sandbox: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise RenderError(f"could not render: {exc}") from None
    except Exception as exc:
        raise RenderError(f"could not render: {type(exc).__name__}: {exc or 'no reason given'}") from None
