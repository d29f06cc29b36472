"""Which encoding a contacts file is in, table by table: marks, strict UTF-8, then an explainable guess."""

from __future__ import annotations

import codecs

import pytest

from herald.contacts.importing.encoding import Encoding, detect, foreign_line, guess
from herald.errors import Invalid

GBK_NAMES = "phone,姓名\n13800138000,张伟\n13900139000,李娜\n13700137000,王芳\n"  # the four-row trap
BIG5_NAMES = "phone,姓名\n0912345678,陳大文\n0922345678,林美玲\n0933345678,黃志明\n"
EUROPEAN = "phone,name\n+33612345678,José Müller\n+33612345679,Zoë Ångström\n"


@pytest.mark.parametrize(
    ("data", "complete", "expected"),
    [
        (codecs.BOM_UTF8 + "姓名".encode(), True, Encoding("utf-8-sig", False)),
        (codecs.BOM_UTF16_LE + "姓名".encode("utf-16-le"), True, Encoding("utf-16", False)),
        (codecs.BOM_UTF16_BE + "姓名".encode("utf-16-be"), True, Encoding("utf-16", False)),
        ("phone,姓名\n".encode(), True, Encoding("utf-8", False)),
        (b"", True, Encoding("utf-8", False)),
        ("phone,姓名".encode()[:-1], False, Encoding("utf-8", False)),  # a sample cut inside a character
        (GBK_NAMES.encode("gbk"), True, Encoding("gb18030", True)),
        (("手机号,姓名\n" + "13800138000,张伟\n" * 50).encode("gb18030"), True, Encoding("gb18030", True)),
        (BIG5_NAMES.encode("big5"), True, Encoding("big5", True)),
        (EUROPEAN.encode("cp1252"), True, Encoding("cp1252", True)),
    ],
)
def test_it_settles_or_guesses_the_encoding(data, complete, expected) -> None:
    assert detect(data, complete) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\x81,b", "latin-1"),  # no candidate reads it: every byte still means something in Latin-1
        (b"\x81\x40\x81\x41", "gb18030"),  # only GB18030 reads it, though not as common characters
        (b"price \x80 5", "cp1252"),  # the euro sign
    ],
)
def test_the_guess_falls_back_in_a_fixed_order(data, expected) -> None:
    assert guess(data) == expected


def test_nul_bytes_mean_binary_or_utf16_without_a_mark() -> None:
    with pytest.raises(Invalid, match="NUL bytes"):
        detect("phone".encode("utf-16-le"), True)
    with pytest.raises(Invalid, match="binary"):
        detect(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True)


def test_a_guess_says_it_is_one() -> None:
    assert Encoding("utf-8", False).describe() == "utf-8"
    assert "--encoding" in Encoding("gb18030", True).describe()


@pytest.mark.parametrize(
    ("raw", "name", "found"),
    [
        ("José".encode(), "cp1252", "is UTF-8 while the file reads as cp1252"),
        ("王伟".encode(), "gb18030", "is UTF-8 while the file reads as gb18030"),
        ("王伟".encode("gbk"), "cp1252", "reads as Chinese (GB18030) while the file reads as cp1252"),
        ("王伟".encode("gbk"), "latin-1", "reads as Chinese"),
        ("José".encode("latin-1"), "cp1252", None),
        ("Ærøskøbing".encode("cp1252"), "cp1252", None),  # runs of accents are short in European words
        ("Ça coûte 5 €, Œuvre «Élan»".encode("cp1252"), "cp1252", None),
        ("Æ Ø Å É".encode("cp1252"), "cp1252", None),
        (b"\xc4\xa3\xc4\xa3", "gb18030", None),  # GBK that happens to be valid UTF-8 ("ģģ")
        ("王伟".encode("gbk"), "gb18030", None),
        (b"plain ascii", "cp1252", None),
        ("Ærø".encode(), "utf-8", None),
    ],
)
def test_a_line_in_another_encoding_is_named(raw, name, found) -> None:
    got = foreign_line(raw, raw.decode(name), name)
    assert got is None if found is None else found in got
