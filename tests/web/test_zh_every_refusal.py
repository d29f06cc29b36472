"""Every refusal Herald's code can raise for a person at a page is said in Chinese: each `raise Invalid(…)`,
`Conflict`, `NotFound`, `Forbidden` or `Unauthorized` whose words are written in the code (a text or an
f-string) is found in the source and matched against the Chinese table, its blanks filled in."""

from __future__ import annotations

import ast
from pathlib import Path

import herald
from herald.web.ui.language.refusals import chinese, said

ROOT = Path(herald.__file__).parent
REFUSALS = {"Invalid", "Conflict", "NotFound", "Forbidden", "Unauthorized"}
# Read at the command line or in the settings file only (the command line speaks English), or by vendors.
UNREAD_AT_PAGES = (
    "sandbox/",
    "console.py",
    "config.py",
    "bootstrap.py",
    "db/engine.py",
    "access/sealing/",
    "providers/configured/accounts.py",
    "providers/configured/factories.py",
    "providers/configured/senders.py",
    "providers/meta_templates.py",
    "tracking/mail/mailbox.py",
    "web/public/webhooks_api.py",
    "web/public/subscription.py",
    "web/api/templates_api.py",
)
BLANKS = ("x", "1", "2026-03")  # what fills a sentence's blanks: one of them must be said


def parts(node: ast.expr) -> list[str | None] | None:
    """A sentence's written parts, None for each blank ('…' around a blank shown with !r); None when the
    sentence is not written in the code."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        found: list[str | None] = []
        for value in node.values:
            quoted = isinstance(value, ast.FormattedValue) and value.conversion == ord("r")
            found += [value.value] if isinstance(value, ast.Constant) else (["'", None, "'"] if quoted else [None])
        return found
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = parts(node.left), parts(node.right)
        return None if left is None or right is None else left + right
    return None


def refusals() -> list[tuple[str, list[str | None]]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        command_line = "cli" in Path(where).parent.parts or path.name.startswith("cli") or path.name.endswith("_cli.py")
        if command_line or where.startswith(UNREAD_AT_PAGES):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                kind = getattr(node.exc.func, "id", None)
                written = parts(node.exc.args[0]) if kind in REFUSALS else None
                if written is not None:
                    found.append((f"{where}:{node.lineno}", written))
    return found


def test_every_refusal_written_in_the_code_is_said_in_chinese() -> None:
    sayings, found = chinese(), refusals()
    english = []
    for where, written in found:
        filled = ["".join(blank if p is None else p for p in written) for blank in BLANKS]
        if all(said(sentence, sayings) == sentence for sentence in filled):
            english.append(f"{where}: {filled[0]}")
    assert english == [], "add these to herald/web/locales/refusals.zh_CN.toml"
    assert len(found) > 300


def test_the_check_finds_a_sentence_the_table_does_not_say() -> None:
    sentence = parts(ast.parse('f"no {thing!r} was ever said"', mode="eval").body)
    assert sentence == ["no ", "'", None, "'", " was ever said"]
    assert said("no 'x' was ever said", chinese()) == "no 'x' was ever said"
