"""The segment language's tree: the nodes the parser builds, and walks over them. Pure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Term:
    field: str
    value: str
    pos: int


@dataclass(frozen=True)
class Compare:
    """A named value (a contact attribute, an event property) tested against a literal. `kind` says how:
    text compares as written, number as a number, date by its YYYY-MM-DD, span as "within the last"."""

    name: str
    op: str  # one of OPERATORS, contains, within
    value: str | float | timedelta
    kind: str  # text | number | date | span
    pos: int = 0


@dataclass(frozen=True)
class AttrTerm:
    """Contacts whose attribute passes the test; a contact without the attribute passes none."""

    test: Compare | Or  # a list of values (`in`) is an Or of equalities


@dataclass(frozen=True)
class EventTerm:
    """Contacts with `op count` events of a type (whose properties pass `where`), within a span before
    now (any time when None)."""

    type: str
    op: str = ">="
    count: int = 1
    within: timedelta | None = None
    pos: int = 0
    where: Node | None = None


@dataclass(frozen=True)
class ScoreTerm:
    """Contacts whose RFM score (r, f or m, 1 to 5) compares to a value; never-buyers have none."""

    score: str
    op: str
    value: int
    pos: int = 0


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class All:
    pass


Node = Term | EventTerm | ScoreTerm | AttrTerm | Compare | Not | And | Or | All


def tags_in(node: Node, field: str = "tag") -> set[str]:
    """Every value of a field (tag names by default) the expression mentions."""
    if isinstance(node, Term):
        return {node.value} if node.field == field else set()
    if isinstance(node, Not):
        return tags_in(node.item, field)
    if isinstance(node, And | Or):
        return set().union(*(tags_in(i, field) for i in node.items))
    return set()


def attributes_in(node: Node) -> set[str]:
    """Every contact attribute the expression tests."""
    if isinstance(node, AttrTerm):
        return {c.name for c in _compares(node.test)}
    if isinstance(node, Not):
        return attributes_in(node.item)
    if isinstance(node, And | Or):
        return set().union(*(attributes_in(i) for i in node.items))
    return set()


def _compares(test: Compare | Or) -> list[Compare]:
    """The comparisons of an attribute's test: one, or the equalities of a list (`in`)."""
    return [test] if isinstance(test, Compare) else [c for c in test.items if isinstance(c, Compare)]


def replace_terms(node: Node, field: str, swap: Callable[[Term], Node]) -> Node:
    """The tree with every term of `field` replaced by `swap(term)`."""
    if isinstance(node, Term) and node.field == field:
        return swap(node)
    if isinstance(node, Not):
        return Not(replace_terms(node.item, field, swap))
    if isinstance(node, And):
        return And(tuple(replace_terms(i, field, swap) for i in node.items))
    if isinstance(node, Or):
        return Or(tuple(replace_terms(i, field, swap) for i in node.items))
    return node
