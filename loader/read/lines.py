"""A digest file's bytes -> its text (`decode`) -> its non-blank lines (`content_lines`),
and the layout's word lists (mappings/layout.yaml) that tell what a line is."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import yaml

from voxgraph.loader.read.digest import DigestError, Span
from voxgraph.paths import MAPPINGS

LAYOUT = MAPPINGS / "layout.yaml"


def decode(data: bytes, source: str, warnings: list[str]) -> str:
    """The file's text. Policy, in order:

    - UTF-16 with a byte-order mark, or without one when every other byte is
      NUL (as Windows "Unicode" text is): decoded as such, the latter with a warning;
    - any other NUL byte: binary, refused;
    - UTF-8 (with or without BOM);
    - otherwise Windows-1252 (a superset of Latin-1's printable characters, the
      usual legacy encoding of such text) with a warning naming the first
      non-UTF-8 byte, provided the result has no control characters, i.e.
      looks like text; else refused, naming that byte and its line.
    """
    if not data:
        raise DigestError(source, None, "empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            problem = f"not UTF-16 text despite its byte-order mark: {e.reason} at byte {e.start}"
            raise DigestError(source, None, problem) from None
    if (nul := data.find(b"\0")) >= 0:
        if (text := _bomless_utf16(data)) is not None:
            warnings.append(f"{source}: read as UTF-16 without a byte-order mark")
            return text
        raise DigestError(source, None, f"binary content, not text: NUL byte at byte {nul}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        where = f"invalid byte 0x{data[e.start]:02x} at byte {e.start}"
        text = data.decode("cp1252", errors="replace")
        if _CONTROL.search(text) or "\ufffd" in text:
            raise DigestError(source, line, f"not UTF-8 text: {where}") from None
        warnings.append(f"{source}:{line}: not UTF-8 ({where}); read as Windows-1252 (Latin-1)")
        return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _bomless_utf16(data: bytes) -> str | None:
    """The text if `data` is UTF-16 without BOM, else None: mostly NUL in one half of the
    bytes (the high bytes of ASCII letters), none in the other, and no control characters."""
    if len(data) % 2:
        return None
    pairs = ((data[1::2], data[0::2], "utf-16-le"), (data[0::2], data[1::2], "utf-16-be"))
    for high, low, encoding in pairs:
        if high.count(0) >= len(high) / 2 and not low.count(0):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return None if _CONTROL.search(text) else text
    return None


class Line(NamedTuple):
    """A non-blank line, without the blanks around it."""

    number: int  # 1-based
    span: Span
    text: str
    indent: int = 0  # width of the blanks before it, a tab counting as 4


# Blanks: whitespace (no-break spaces included) and the zero-width characters an
# editor may leave on an otherwise empty line.
_BLANK = r"[\s\u200b\u200c\u200d\u2060\ufeff]"
_TRIMMED = re.compile(rf"{_BLANK}*(.*?){_BLANK}*", re.DOTALL)


def content_lines(text: str) -> list[Line]:
    lines = []
    begin = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        trimmed = _TRIMMED.fullmatch(raw)
        assert trimmed is not None  # the pattern matches any line
        if trimmed[1]:
            start, end = begin + trimmed.start(1), begin + trimmed.end(1)
            indent = len(raw[: trimmed.start(1)].expandtabs(4))
            lines.append(Line(number, Span(start, end), trimmed[1], indent))
        begin += len(raw) + 1
    return lines


_SENTENCE_PUNCTUATION = tuple('.!?:;…”’"')


def heading_shaped(line: str) -> bool:
    return len(line.split()) <= 12 and not line.endswith(_SENTENCE_PUNCTUATION)


# --- the layout's word lists (mappings/layout.yaml)


@dataclass(frozen=True)
class Layout:
    publisher: str  # the series' publisher, assumed when a digest has no publisher line
    publisher_names: re.Pattern[str]  # a known spelling anywhere in the line
    publisher_words: re.Pattern[str]  # a word of one, in a short line
    series: re.Pattern[str]
    stray: re.Pattern[str]  # matched against the whole line
    heading_pronouns: frozenset[str]  # a first word that makes a sentence, not a heading
    heading_verbs: frozenset[str]  # a later word that does
    titles: frozenset[str]  # abbreviations a full stop does not end a sentence after
    before_number: frozenset[str]  # ... when a number follows


def _alternation(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def _names(names: list[str]) -> str:
    return _alternation([re.escape(n).replace(r"\ ", r"\s+") for n in names])


@cache
def layout() -> Layout:
    data = yaml.safe_load(LAYOUT.read_text(encoding="utf-8"))
    return Layout(
        publisher=data["publisher"],
        publisher_names=re.compile(rf"\b{_names(data['publisher_names'])}\b", re.IGNORECASE),
        publisher_words=re.compile(rf"\b{_names(data['publisher_words'])}\b", re.IGNORECASE),
        series=re.compile(_alternation(data["series_patterns"]), re.IGNORECASE),
        stray=re.compile(_alternation(data["stray_lines"]), re.IGNORECASE),
        heading_pronouns=frozenset(data["heading_pronouns"]),
        heading_verbs=frozenset(data["heading_verbs"]),
        titles=frozenset(data["titles"]),
        before_number=frozenset(data["before_number"]),
    )


def without_stray_lines(lines: list[Line], source: str, warnings: list[str]) -> list[Line]:
    """The lines that are text of the digest; the others (image captions, rules) are named."""
    kept = []
    for line in lines:
        if layout().stray.fullmatch(line.text):
            warnings.append(
                f"{source}:{line.number}: {line.text!r} is not text of the digest "
                "(an image caption or a rule); left out"
            )
        else:
            kept.append(line)
    return kept
