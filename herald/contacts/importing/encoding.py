"""Which text encoding a contacts file is in. Pure.

Charset detectors misread small Chinese files (a four-row GBK file comes back as Korean, without an
error), so Herald decides in a fixed order it can explain: a byte-order mark; strict UTF-8; otherwise a
guess the import preview shows and `--encoding` overrides. The guess prefers GB18030 (a superset of
GBK and GB2312) for Chinese data; Big5 when the text only reads as common characters in Big5; Windows-1252
when every non-ASCII character it yields is a letter or common punctuation (European names)."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

from herald.errors import Invalid

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
SHARE = 0.8  # of a candidate's non-ASCII characters that must look right for it to be chosen
WESTERN_MARKS = set("€‚„…†‡‰‹›‘’“”•–—™¡¢£¥§©«®°±·»¿×÷")


@dataclass(frozen=True)
class Encoding:
    name: str
    guessed: bool  # True when no mark or strict UTF-8 settled it

    def describe(self) -> str:
        return f"{self.name} (guessed: pass --encoding if names look wrong)" if self.guessed else self.name


def detect(sample: bytes, complete: bool) -> Encoding:
    """The encoding of a file from its first bytes (`complete` when the sample is the whole file)."""
    for bom, name in BOMS:
        if sample.startswith(bom):
            return Encoding(name, False)
    if b"\x00" in sample:
        raise Invalid(
            "the file holds NUL bytes: it is binary, or UTF-16 without a byte-order mark; save it as "
            "UTF-8 or pass --encoding utf-16-le",
            where="file",
        )
    if _decodes(sample, "utf-8", complete):
        return Encoding("utf-8", False)
    return Encoding(guess(sample, complete), True)


def guess(sample: bytes, complete: bool = True) -> str:
    """gb18030, big5, cp1252 or latin-1, by how plausible the text each makes is."""
    gb = decoded(sample, "gb18030", complete)
    if gb is not None and _share(gb, _in_gb2312) >= SHARE:
        return "gb18030"
    big5 = decoded(sample, "big5", complete)
    if big5 is not None and _share(big5, _is_han) >= SHARE:
        return "big5"
    western = decoded(sample, "cp1252", complete)
    if western is not None and _share(western, _is_western) >= SHARE:
        return "cp1252"
    return "gb18030" if gb is not None else "latin-1"


def _decodes(sample: bytes, name: str, complete: bool) -> bool:
    return decoded(sample, name, complete) is not None


def decoded(sample: bytes, name: str, complete: bool) -> str | None:
    # An incomplete sample may end inside a character: the incremental decoder keeps the tail back.
    try:
        return codecs.getincrementaldecoder(name)(errors="strict").decode(sample, final=complete)
    except UnicodeDecodeError:
        return None


def _share(text: str, looks_right: Callable[[str], bool]) -> float:
    wide = [c for c in text if ord(c) > 127]
    return sum(map(looks_right, wide)) / len(wide) if wide else 1.0


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


def _is_western(char: str) -> bool:
    return (char.isalpha() and ord(char) < 0x250) or char in WESTERN_MARKS


UTF8 = ("utf-8", "utf-8-sig")
WESTERN = ("cp1252", "iso8859-1")
HAN_RUN = 4  # non-ASCII characters in a row that European text almost never has, and two Chinese ones make


def foreign_line(raw: bytes, text: str, name: str) -> str | None:
    """Why a line that decoded in the file's encoding was written in another one, or None. A file pieced
    together from several exports decodes without error and stores garbage (`JosÃ©`, `ÍõÎ°`): a line that
    is valid UTF-8 in a file read otherwise, or a line of Chinese bytes read as Western letters."""
    encoding = codecs.lookup(name).name
    if raw.isascii() or encoding in UTF8:
        return None
    utf8 = decoded(raw, "utf-8", True)
    # Some GBK pairs are valid UTF-8 too (C4 A3 reads as "ģ"): in a Chinese file only UTF-8 that reads as
    # Chinese counts, as a real UTF-8 line of Chinese names would.
    if utf8 is not None and (encoding in WESTERN or _share(utf8, _is_han) >= SHARE):
        return f"this line is UTF-8 while the file reads as {name}"
    if encoding in WESTERN and _han_run(raw, text):
        return f"this line reads as Chinese (GB18030) while the file reads as {name}"
    return None


def _han_run(raw: bytes, text: str) -> bool:
    longest = run = 0
    for char in text:
        run = run + 1 if ord(char) > 127 else 0
        longest = max(longest, run)
    if longest < HAN_RUN:
        return False
    chinese = decoded(raw, "gb18030", True)
    return chinese is not None and _share(chinese, _is_han) >= SHARE
