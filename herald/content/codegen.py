"""A checked template, compiled once to one small Python function. Pure.

Rendering is on the hot path of every send, and Jinja2's per-call machinery (a context object, a
generator, the sandbox's attribute checks on every lookup) costs over ten times a plain `str.format`.
The save-time allow-list leaves only output, names, attribute and item lookups, a few filters,
comparisons and if/else, so this module turns that small tree into a single f-string expression. Every
value still goes through Jinja's own objects: its filters, its sandboxed `getattr`/`getitem` for
anything that is not a plain dict, and the same `MissingValue` for a missing variable, so output and
errors match the sandboxed environment (the tests compare the two on random templates and contexts).
Names and literals never enter the generated source: they are bound as constants, so no template text
can become code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Undefined, nodes
from jinja2.nodes import EvalContext
from jinja2.runtime import markup_join as runtime_markup_join
from jinja2.runtime import str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg
from markupsafe import Markup, escape

COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "lteq": "<=", "gt": ">", "gteq": ">=", "in": "in", "notin": "not in"}
MISSING = object()


class Unsupported(Exception):
    """The tree holds a construct outside the allow-list (check() refuses those before this is reached)."""


class _Builder:
    def __init__(
        self,
        env: ImmutableSandboxedEnvironment,
        html: bool,
        guards: Mapping[str, Callable[..., Any]],
        filters: frozenset[str] | None,
    ) -> None:
        self.env, self.html, self.guards, self.filters = env, html, guards, filters
        self.consts: dict[str, Any] = {}
        self.names: dict[str, str] = {}

    def const(self, value: Any) -> str:
        key = f"_c{len(self.consts)}"
        self.consts[key] = value
        return key

    def name(self, name: str) -> str:
        if name not in self.names:
            self.names[name] = f"_v{len(self.names)}"
        return self.names[name]

    def body(self, items: list[nodes.Node], top: bool = False) -> list[str]:
        parts: list[str] = []
        for node in items:
            if isinstance(node, nodes.Output):
                parts += [self.output(child, top) for child in node.nodes]
            elif isinstance(node, nodes.If):
                parts.append(self.branch(node))
            else:
                raise Unsupported(type(node).__name__)
        return parts

    def output(self, node: nodes.Node, top: bool) -> str:
        if isinstance(node, nodes.TemplateData):
            # Template text is markup already: never escaped, only the values are.
            return self.const(Markup(node.data) if self.html else node.data)
        if self.html:
            return f"_esc({self.expr(node)})"
        return f"{self.expr(node)}!s" if top else f"_str({self.expr(node)})"

    def branch(self, node: nodes.If) -> str:
        otherwise = self.joined(node.else_)
        for alt in reversed(node.elif_):
            otherwise = f"({self.joined(alt.body)} if {self.expr(alt.test)} else {otherwise})"
        return f"({self.joined(node.body)} if {self.expr(node.test)} else {otherwise})"

    def joined(self, items: list[nodes.Node]) -> str:
        parts = self.body(items)
        if not parts:
            return "''"
        return parts[0] if len(parts) == 1 else f"_join(({', '.join(parts)},))"

    def expr(self, node: nodes.Node) -> str:
        method = getattr(self, f"x_{type(node).__name__}", None)
        if method is None:
            raise Unsupported(type(node).__name__)
        return str(method(node))

    def x_Const(self, node: nodes.Const) -> str:
        return self.const(node.value)

    def x_Name(self, node: nodes.Name) -> str:
        return self.name(node.name)

    def x_Getattr(self, node: nodes.Getattr) -> str:
        return f"_getattr({self.expr(node.node)}, {self.const(node.attr)})"

    def x_Getitem(self, node: nodes.Getitem) -> str:
        return f"_getitem({self.expr(node.node)}, {self.expr(node.arg)})"

    def x_Filter(self, node: nodes.Filter) -> str:
        if node.dyn_args is not None or node.dyn_kwargs is not None or node.node is None:
            raise Unsupported("filter with dynamic arguments")
        if self.filters is not None and node.name not in self.filters:
            raise Unsupported(f"filter {node.name}")
        func = self.guards.get(node.name) or self.env.filters[node.name]
        passes = _PassArg.from_obj(func)
        lead = {_PassArg.environment: "_env, ", _PassArg.eval_context: "_ectx, "}.get(passes, "") if passes else ""
        args = [self.expr(a) for a in node.args] + [f"{k.key}={self.expr(k.value)}" for k in node.kwargs]
        return f"{self.const(func)}({lead}{', '.join([self.expr(node.node), *args])})"

    def x_Compare(self, node: nodes.Compare) -> str:
        chain = " ".join(f"{COMPARE[op.op]} {self.expr(op.expr)}" for op in node.ops)
        return f"({self.expr(node.expr)} {chain})"

    def x_And(self, node: nodes.And) -> str:
        return f"({self.expr(node.left)} and {self.expr(node.right)})"

    def x_Or(self, node: nodes.Or) -> str:
        return f"({self.expr(node.left)} or {self.expr(node.right)})"

    def x_Not(self, node: nodes.Not) -> str:
        return f"(not {self.expr(node.node)})"

    def x_CondExpr(self, node: nodes.CondExpr) -> str:
        otherwise = self.expr(node.expr2) if node.expr2 is not None else "_no_else()"
        return f"({self.expr(node.expr1)} if {self.expr(node.test)} else {otherwise})"

    def x_Concat(self, node: nodes.Concat) -> str:
        return f"_concat(({', '.join(self.expr(n) for n in node.nodes)},))"


def compile_template(
    tree: nodes.Template,
    env: ImmutableSandboxedEnvironment,
    html: bool = False,
    guards: Mapping[str, Callable[..., Any]] | None = None,
    filters: frozenset[str] | None = None,
) -> Callable[[Mapping[str, Any]], str]:
    """One function `render(context) -> str` for a checked template tree; `filters` limits the filters."""
    builder = _Builder(env, html, guards or {}, filters)
    parts = builder.body(tree.body, top=True)
    lines = ["def render(ctx):"]
    for name, var in builder.names.items():
        key = builder.const(name)
        lines.append(f"    {var} = ctx.get({key}, _MISSING)")
        lines.append(f"    if {var} is _MISSING: {var} = _undefined(name={key})")
    lines.append('    return f"' + "".join("{" + p + "}" for p in parts) + '"')
    namespace = _namespace(env, html, builder.consts)
    exec(compile("\n".join(lines), "<herald template>", "exec"), namespace)
    render: Callable[[Mapping[str, Any]], str] = namespace["render"]
    return render


def _namespace(env: ImmutableSandboxedEnvironment, html: bool, consts: dict[str, Any]) -> dict[str, Any]:
    def getattr_(obj: Any, attr: str) -> Any:
        # Contact data arrives as plain dicts: a key lookup is all that is needed, and safe.
        if type(obj) is dict:
            value = obj.get(attr, MISSING)
            return env.undefined(obj=obj, name=attr) if value is MISSING else value
        return env.getattr(obj, attr)

    def no_else() -> Any:
        # Jinja2 itself uses its lenient Undefined here (it prints as nothing), whatever the environment's.
        return Undefined("the inline if-expression evaluated to false and no else section was defined.")

    join = "".join
    markup_join = Markup("").join
    eval_context = EvalContext(env)
    eval_context.autoescape = html
    return {
        "__builtins__": {},
        "_MISSING": MISSING,
        "_undefined": env.undefined,
        "_env": env,
        "_ectx": eval_context,
        "_getattr": getattr_,
        "_getitem": env.getitem,
        "_no_else": no_else,
        "_str": str,
        "_esc": escape,
        "_join": markup_join if html else join,
        "_concat": runtime_markup_join if html else str_join,
        **consts,
    }
