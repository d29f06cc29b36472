"""A room's door: the names its `__init__.py` offers other rooms, loaded when first used.

A door lists its names as ordinary imports under `if TYPE_CHECKING:`, so that readers, type checkers and
import-linter see exactly what it offers and where each name lives. At run time `open_door` reads those
same imports and performs each one the first time somebody asks for the name. A command that needs one
pure function of a room therefore does not load the room's database code, and a door never has to be
kept in step with a second list."""

from __future__ import annotations

import ast
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any


def open_door(package: str, source_file: str) -> Callable[[str], Any]:
    """The module `__getattr__` of a door: each name in its TYPE_CHECKING imports, imported on first use."""
    entrances: dict[str, tuple[str, str]] | None = None

    def __getattr__(name: str) -> Any:
        nonlocal entrances
        if entrances is None:
            entrances = typing_imports(Path(source_file).read_text(encoding="utf-8"))
        if name not in entrances:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, original = entrances[name]
        value = getattr(import_module(module), original)
        # Kept on the package, so that later lookups find it without coming back here.
        setattr(import_module(package), name, value)
        return value

    return __getattr__


def typing_imports(source: str) -> dict[str, tuple[str, str]]:
    """Each name imported under `if TYPE_CHECKING:` at the top level of `source`: (module, original name)."""
    found: dict[str, tuple[str, str]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
                    for alias in statement.names:
                        found[alias.asname or alias.name] = (statement.module, alias.name)
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def open_every_door() -> int:
    """Import every module the rooms' doors name, now: what a long-running server does as it starts, so
    that the first vendor's callback or click is not the one to wait for the imports (half a second on the
    first receipt, measured). Returns how many modules the doors name."""
    modules = {
        module
        for door in sorted(Path(__file__).parent.glob("*/__init__.py"))
        if "open_door(" in (source := door.read_text(encoding="utf-8"))
        for module, _ in typing_imports(source).values()
    }
    for module in sorted(modules):
        import_module(module)
    return len(modules)
