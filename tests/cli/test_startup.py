"""The commands that need no database start without importing it: help and `templates sms-info` answer
at once. Checked by what a fresh interpreter imports, not by timing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from herald.cli.main import HeraldGroup

PROBE = """
import sys
from herald.cli.main import run
sys.argv = ["herald", *{argv!r}]
try:
    run({argv!r})
except SystemExit:
    pass
heavy = sorted(m for m in ("sqlalchemy", "herald.bootstrap", "herald.campaigns", "herald.content.service", "aiohttp")
               if m in sys.modules)
sys.stderr.write("HEAVY=" + ",".join(heavy) + "\\n")
"""


@pytest.mark.parametrize("argv", [["--help"], ["templates", "sms-info"], ["templates", "--help"], []])
def test_help_and_sms_info_load_no_database_code(argv) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        input="Hello 你好",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "HEAVY=\n" in done.stderr, done.stderr


def test_every_room_is_listed_with_its_own_help() -> None:
    for name, room in HeraldGroup.rooms.items():
        assert room.load(name).info.help == room.help, name
