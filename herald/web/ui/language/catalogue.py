"""The UI's message catalogue kept in step with the pages: every text the templates and the UI's modules
mark for translation, with its Chinese from `locales/zh_CN.po`. `python -m herald.web.ui.language.catalogue`
rewrites the catalogue with the texts the pages use now (translations kept, new ones empty, gone ones
dropped) and lists the texts still without Chinese; the tests fail while any is."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from herald.web.ui.language.i18n import CATALOGUE

WEB = Path(__file__).resolve().parents[2]
METHODS = [("templates/**.html", "jinja2"), ("ui/**.py", "python"), ("signin_page.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {"_": None, "N_": None, "gettext": None, "_said": None}


def texts() -> dict[str, list[tuple[str, int]]]:
    """Every text the pages mark, with where each is used."""
    found: dict[str, list[tuple[str, int]]] = {}
    for name, line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, []).append((name, line))
    return found


def translated() -> dict[str, str]:
    """The catalogue's Chinese, by English text."""
    with CATALOGUE.open("rb") as handle:
        found = read_po(handle, locale="zh_CN")
    return {m.id: m.string for m in found if isinstance(m.id, str) and m.id and isinstance(m.string, str)}


def missing() -> list[str]:
    """Texts the pages use that have no Chinese yet."""
    known = translated()
    return sorted(t for t in texts() if not known.get(t))


def update() -> list[str]:
    """Rewrite the catalogue for the texts used now; returns those without Chinese."""
    known = translated() if CATALOGUE.exists() else {}
    catalogue = Catalog(locale="zh_CN", project="Herald", charset="utf-8", fuzzy=False)
    for text, places in texts().items():
        flags = ("python-format",) if "%(" in text else ()
        catalogue.add(text, known.get(text, ""), locations=places, flags=flags)
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=120, sort_output=True, omit_header=False)
    return missing()


if __name__ == "__main__":
    left = update()
    for text in left:
        print(f"no Chinese yet: {text}")
    sys.exit(1 if left else 0)
