"""Each room's door offers exactly what it lists, and every name it lists can be opened."""

import ast
import importlib
import os
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import herald
from herald.door import open_door, typing_imports

ROOT = Path(herald.__file__).parent
LAZY_DOORS = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if "open_door(" in p.read_text())


def test_most_rooms_have_lazy_doors():
    assert {"contacts", "campaigns", "content", "outbox", "segments", "tags", "providers"} <= set(LAZY_DOORS)


@pytest.mark.parametrize("room", LAZY_DOORS)
def test_a_door_lists_in_all_exactly_the_names_it_imports(room):
    package = importlib.import_module(f"herald.{room}")
    entrances = typing_imports((ROOT / room / "__init__.py").read_text())
    assert sorted(package.__all__) == sorted(entrances)


@pytest.mark.parametrize("room", LAZY_DOORS)
def test_every_name_a_door_offers_opens_to_the_inner_definition(room):
    package = importlib.import_module(f"herald.{room}")
    for name, (module, original) in typing_imports((ROOT / room / "__init__.py").read_text()).items():
        assert getattr(package, name) is getattr(importlib.import_module(module), original), name


@pytest.mark.parametrize("room", LAZY_DOORS)
def test_no_door_name_is_also_a_module_of_the_room(room):
    # Importing a submodule sets it as an attribute of its package, which would hide a lazy name.
    submodules = {m.name for m in pkgutil.iter_modules([str(ROOT / room)])}
    assert not submodules & set(importlib.import_module(f"herald.{room}").__all__)


def test_an_unknown_name_is_an_attribute_error_naming_the_room():
    with pytest.raises(AttributeError, match="herald.contacts.*no_such_thing"):
        herald.contacts.no_such_thing  # noqa: B018


def test_a_door_opens_only_names_under_type_checking(tmp_path, monkeypatch):
    source = tmp_path / "door.py"
    source.write_text(
        "import typing\nfrom os import sep\nif typing.TYPE_CHECKING:\n    from os.path import join as j\n"
        "    import json\n    from . import x\nif False:\n    from os import getcwd\n"
    )
    assert typing_imports(source.read_text()) == {"j": ("os.path", "join")}
    package = types.ModuleType("a_room")
    monkeypatch.setitem(sys.modules, "a_room", package)
    opened = open_door("a_room", str(source))
    assert opened("j") is os.path.join
    assert package.j is os.path.join  # kept, so the next lookup does not come back
    with pytest.raises(AttributeError):
        opened("getcwd")


def test_a_server_opens_every_door_as_it_starts():
    listed = {m for room in LAZY_DOORS for m, _ in typing_imports((ROOT / room / "__init__.py").read_text()).values()}
    # In a fresh interpreter: what this one has imported already would prove nothing.
    check = (
        "import sys; from herald.door import open_every_door; "
        f"listed = {sorted(listed)!r}; before = [m for m in listed if m in sys.modules]; "
        "n = open_every_door(); print(len(before), n, all(m in sys.modules for m in listed))"
    )
    ran = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    before, opened, all_loaded = ran.stdout.split()
    assert int(before) < len(listed) // 2 and int(opened) == len(listed) and all_loaded == "True"


def _rooms_taken(tree: ast.Module) -> dict[str, str]:
    """The names a module binds to rooms with lazy doors (`from herald import content as c`): name → room."""
    taken = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "herald" and not node.level:
            taken.update({a.asname or a.name: a.name for a in node.names if a.name in LAZY_DOORS})
    return taken


def _shadowed(tree: ast.Module) -> set[str]:
    """Names bound inside functions (parameters, assignments): there, `content.x` is not the room."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return bound


def test_every_name_taken_through_a_door_is_one_it_offers():
    # A door opens names when they are first asked for, so a name it does not offer fails only when the
    # line runs (type checkers see the door's `__getattr__` and let any name through).
    offered = {room: set(typing_imports((ROOT / room / "__init__.py").read_text())) for room in LAZY_DOORS}
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        taken = {name: room for name, room in _rooms_taken(tree).items() if name not in _shadowed(tree)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in taken:
                room = taken[node.value.id]
                if node.attr not in offered[room]:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: herald.{room} offers no {node.attr}")
    assert missing == []
