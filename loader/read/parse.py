"""Step 1: digest text -> `Digest`, every part with character offsets.

All offsets are into `Digest.text`: the file's text after decoding, with a
byte-order mark removed and CRLF/CR line ends turned into LF. That string is
what the graph stores as vox:text, so `text[span.begin:span.end]` is exactly
what a reader sees. Nothing else is rewritten.

The layout, as the Center for National and International Studies publishes it:

    Center for National and International Studies     publisher (first line)
    FB Digest@VoxPOPULI                                optional series line
    24.07.2023                                         date, here or on the last line
    “We will know the real results ...”                optional pull quote
    (Lack of) Human Rights and Liberties               heading: short, no final punctuation
    The decisions of the appeals ...                   paragraphs, one per line
    November 4, 2022                                   date on the last line

Blank lines separate all of these; the lines before the first heading or
paragraph may come in any order. Paragraphs that come before any heading go
into a section titled "" whose title_span is the empty span at the start of
its first paragraph. Older issues have no heading lines but open paragraphs
with an inline heading ("Post-conflict situation. The FB community ..."); these
are recognised only in a digest without heading lines whose first paragraph
opens with one, or whose first paragraph is a lead followed by at least two
that do. Such a paragraph keeps its whole line as text and span, the
section's title_span covers just the heading inside it, and the paragraph's
sentences start after it.

Real digests vary, and a file is refused only when it is no digest at all (no
text, binary, no date in the text or the file name). What the parser assumes
it says in `Digest.warnings`, each naming the file and line:

- no publisher line (older issues open with the pull quote): the series'
  publisher (mappings/layout.yaml) is assumed, and `publisher_span` is None;
- no date line: the date in the file name (`2019-11-21.txt`, `21-11-2019.txt`)
  is assumed, and `date_span` is None; two different date lines: the one the
  file name confirms, else the top one;
- lines that are not the digest's text (image alt text such as "Новый рисунок",
  a line of dashes; listed in mappings/layout.yaml), and unknown lines above a
  publisher line, are left out of the structure, as is a repeated series or
  publisher line;
- a heading-shaped line followed by a more deeply indented one, then a
  paragraph: a heading and its sub-heading, each a section (the first empty);
- a last paragraph that ends without punctuation: its last sentence is
  read as cut off.

Blank lines include lines of spaces, no-break spaces or zero-width characters.
A series line may also stand below the date at the end. The pull quote may
come before the publisher line and have dots before its opening mark
("..“ ...”"). Date lines may have extra spaces, a final full stop, an ordinal
("4th November 2022") or slashes ("04/11/2022").
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

import yaml

from voxgraph.names import normalise_name
from voxgraph.paths import MAPPINGS

LAYOUT = MAPPINGS / "layout.yaml"


@dataclass(frozen=True)
class Span:
    """Characters [begin, end) of the digest text."""

    begin: int
    end: int


@dataclass
class Sentence:
    span: Span
    text: str


@dataclass
class Paragraph:
    span: Span
    text: str
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class Section:
    """A titled part of a digest; position 1 is the first.

    Older issues put the heading inline ("Post-conflict situation. The FB
    community ..."); then `title_span` lies inside the first paragraph.
    """

    position: int
    title: str
    title_span: Span
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Digest:
    source: str  # file name or URL it came from
    text: str  # normalised full text: all offsets point into it
    publisher: str
    publisher_span: Span | None  # None: no publisher line, the series' publisher assumed
    date: date
    date_span: Span | None  # None: no date line, the date in the file name assumed
    series: str | None = None  # e.g. "FB Digest@VoxPOPULI"
    series_span: Span | None = None
    pull_quote: str | None = None  # without the surrounding quote marks
    pull_quote_span: Span | None = None
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read, but not as written: how

    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset, for error messages."""
        return self.text.count("\n", 0, offset) + 1


class DigestError(ValueError):
    """A file that cannot be read as a digest; says file, line and problem."""

    def __init__(self, source: str, line: int | None, problem: str):
        self.source, self.line, self.problem = source, line, problem
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {problem}")


# The largest digest of the series is about 11 KB; anything far larger is not
# one, and mapping it would take minutes.
MAX_DIGEST_BYTES = 1_000_000


def read_digest(path: str | os.PathLike[str]) -> Digest:
    """Read a digest file; its file name becomes `Digest.source`."""
    path = Path(path)
    return digest_from_bytes(read_digest_bytes(path), path.name)


def read_digest_bytes(path: Path) -> bytes:
    """The bytes of a digest file, refusing a missing or oversized one before reading it."""
    if not path.is_file():
        raise DigestError(str(path), None, "no such file")
    size = path.stat().st_size
    if size > MAX_DIGEST_BYTES:
        raise DigestError(
            path.name,
            None,
            f"file too large for a digest: {size:,} bytes, the limit is {MAX_DIGEST_BYTES:,}",
        )
    return path.read_bytes()


def digest_from_bytes(raw: bytes, source: str) -> Digest:
    """Decode (see `_decode` for the encodings accepted) and parse a digest's bytes."""
    warnings: list[str] = []
    digest = parse_digest(_decode(raw, source, warnings), source=source)
    digest.warnings[:0] = warnings
    return digest


def parse_digest(text: str, source: str) -> Digest:
    """Parse a digest's text; raises DigestError if it is no digest (see the module's notes)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[str] = []
    lines = _content_lines(text)
    if not lines:
        raise DigestError(source, None, "empty digest: there is no text")
    lines = _without_stray_lines(lines, source, warnings)
    if not lines:
        raise DigestError(source, None, "empty digest: no text besides image captions or rules")

    front, i = _front_matter(lines, source, warnings)
    body = lines[i:]
    bottom = _bottom_matter(body, front)
    date_line, published = _publication_date(
        front.get("date"), bottom.get("date"), source, lines, warnings
    )
    publisher = front.get("publisher")
    if publisher is None:
        warnings.append(
            f"{source}:{lines[0].number}: no publisher line (expected one such as "
            f"{_layout().publisher!r} at the top); assumed the series' publisher"
        )
    series = front.get("series") or bottom.get("series")
    quote = front.get("pull_quote")
    quote_span = _pull_quote_span(quote) if quote else None
    digest = Digest(
        source=source,
        text=text,
        publisher=publisher.text if publisher else _layout().publisher,
        publisher_span=publisher.span if publisher else None,
        date=published,
        date_span=date_line.span if date_line else None,
        series=series.text if series else None,
        series_span=series.span if series else None,
        pull_quote=text[quote_span.begin : quote_span.end] if quote_span else None,
        pull_quote_span=quote_span,
        sections=_sections(body, source, warnings),
        warnings=warnings,
    )
    _warn_if_cut_off(digest, warnings)
    return digest


def _decode(data: bytes, source: str, warnings: list[str]) -> str:
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


class _Line(NamedTuple):
    """A non-blank line, without the blanks around it."""

    number: int  # 1-based
    span: Span
    text: str
    indent: int = 0  # width of the blanks before it, a tab counting as 4


# Blanks: whitespace (no-break spaces included) and the zero-width characters an
# editor may leave on an otherwise empty line.
_BLANK = r"[\s\u200b\u200c\u200d\u2060\ufeff]"
_TRIMMED = re.compile(rf"{_BLANK}*(.*?){_BLANK}*", re.DOTALL)


def _content_lines(text: str) -> list[_Line]:
    lines = []
    begin = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        trimmed = _TRIMMED.fullmatch(raw)
        assert trimmed is not None  # the pattern matches any line
        if trimmed[1]:
            start, end = begin + trimmed.start(1), begin + trimmed.end(1)
            indent = len(raw[: trimmed.start(1)].expandtabs(4))
            lines.append(_Line(number, Span(start, end), trimmed[1], indent))
        begin += len(raw) + 1
    return lines


# --- the layout's word lists (mappings/layout.yaml)


@dataclass(frozen=True)
class _Layout:
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
def _layout() -> _Layout:
    data = yaml.safe_load(LAYOUT.read_text(encoding="utf-8"))
    return _Layout(
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


def _without_stray_lines(lines: list[_Line], source: str, warnings: list[str]) -> list[_Line]:
    """The lines that are text of the digest; the others (image captions, rules) are named."""
    kept = []
    for line in lines:
        if _layout().stray.fullmatch(line.text):
            warnings.append(
                f"{source}:{line.number}: {line.text!r} is not text of the digest "
                "(an image caption or a rule); left out"
            )
        else:
            kept.append(line)
    return kept


# --- the lines above the first heading or paragraph, and below the last

_OPEN_QUOTES = '“"„«'
_CLOSE_QUOTES = '”"“»'
_DATE_FORMATS = (
    "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%d %B, %Y",
    "%d.%m.%Y", "%Y-%m-%d",
)  # fmt: skip
# How far below unknown lines (alt text not in the list) a publisher line is looked for.
_PUBLISHER_LOOKAHEAD = 3


def _front_matter(
    lines: list[_Line], source: str, warnings: list[str]
) -> tuple[dict[str, _Line], int]:
    """The publisher, series, date and pull-quote lines at the top, and where the body begins."""
    found: dict[str, _Line] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        if kind := _front_matter_kind(line.text, found):
            found[kind] = line
            i += 1
        elif repeated := _repeated(line.text, found):
            warnings.append(f"{source}:{line.number}: a second {repeated} line; left out")
            i += 1
        elif (ahead := _publisher_below(lines, i, found)) is not None:
            for skipped in lines[i:ahead]:
                warnings.append(
                    f"{source}:{skipped.number}: {skipped.text!r} above the publisher line is "
                    "not text of the digest; left out"
                )
            i = ahead
        else:
            break
    return found, i


def _front_matter_kind(line: str, found: dict[str, _Line]) -> str | None:
    """What a line at the top is; None once the body begins. They come in any order."""
    if "date" not in found and _parse_date(line):
        return "date"
    if "series" not in found and _is_series(line):
        return "series"
    if "publisher" not in found and _is_publisher(line):
        return "publisher"
    if "pull_quote" not in found and _quote_bounds(line) is not None:
        return "pull_quote"
    return None


def _repeated(line: str, found: dict[str, _Line]) -> str | None:
    """'series' or 'publisher' if the line repeats the one found."""
    for kind in ("series", "publisher"):
        if kind in found and normalise_name(line) == normalise_name(found[kind].text):
            return kind
    return None


def _publisher_below(lines: list[_Line], i: int, found: dict[str, _Line]) -> int | None:
    """The index of a publisher line (a known spelling) just below short unknown lines."""
    if "publisher" in found:
        return None
    for j in range(i, min(i + _PUBLISHER_LOOKAHEAD, len(lines))):
        if _layout().publisher_names.search(lines[j].text) and _heading_shaped(lines[j].text):
            return j if j > i else None
        if len(lines[j].text.split()) > 12:
            return None
    return None


def _is_publisher(line: str) -> bool:
    """A known spelling of the publisher, or a short line with one of its words."""
    if _layout().publisher_names.search(line):
        return True
    return _heading_shaped(line) and bool(_layout().publisher_words.search(line))


def _bottom_matter(body: list[_Line], front: dict[str, _Line]) -> dict[str, _Line]:
    """The date and series lines at the end, taken off `body`."""
    found: dict[str, _Line] = {}
    while len(body) > 1 or (body and not found):
        text = body[-1].text
        if "date" not in found and _parse_date(text):
            found["date"] = body.pop()
        elif "series" not in found and "series" not in front and _is_series(text):
            found["series"] = body.pop()
        else:
            break
    return found


def _publication_date(
    top: _Line | None,
    bottom: _Line | None,
    source: str,
    lines: list[_Line],
    warnings: list[str],
) -> tuple[_Line | None, date]:
    """The date line (None when the file name gives the date) and the date."""
    named = _date_in_name(source)
    if top and bottom and _parse_date(top.text) != _parse_date(bottom.text):
        confirmed = named is not None and _parse_date(bottom.text) == named
        used, why = (bottom, "the file name's") if confirmed else (top, "the top one")
        warnings.append(
            f"{source}:{bottom.number}: two publication dates, {top.text!r} (line {top.number}) "
            f"and {bottom.text!r}; used {used.text!r}, {why}"
        )
        return used, _parse_date(used.text)  # type: ignore[return-value]
    if line := top or bottom:
        return line, _parse_date(line.text)  # type: ignore[return-value]
    if named is not None:
        warnings.append(
            f"{source}:{lines[-1].number}: no date line at the top or bottom; "
            f"assumed {named.isoformat()}, the date in the file name"
        )
        return None, named
    raise DigestError(
        source,
        lines[-1].number,
        "no publication date found: expected a line such as 'November 4, 2022' "
        "or '24.07.2023' at the top or bottom, or the date in the file name (2022-11-04.txt)",
    )


_SPACES = re.compile(r"\s+")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)


def _parse_date(line: str) -> date | None:
    """The date if the whole line is one, in one of the formats the publisher uses;
    spacing, a final full stop, ordinals ("4th") and "/" between numbers are tolerated."""
    if len(line) > 40 or not any(c.isdigit() for c in line):
        return None
    line = _ORDINAL.sub("", _SPACES.sub(" ", line).removesuffix(".").strip())
    line = line.replace("/", ".").replace("Sept ", "Sep ")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(line, fmt).date()
        except ValueError:
            continue
    return None


_NAME_DATES = (
    (re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)"), (1, 2, 3)),  # 2021-04-01
    (re.compile(r"(?<!\d)(\d{2})[-_.](\d{2})[-_.](\d{4})(?!\d)"), (3, 2, 1)),  # 01-04-2021
)


def _date_in_name(source: str) -> date | None:
    """The date a file name (or the last segment of a URL) gives, if any."""
    name = source.rstrip("/").rsplit("/", 1)[-1]
    for pattern, (y, m, d) in _NAME_DATES:
        if match := pattern.search(name):
            try:
                return date(int(match[y]), int(match[m]), int(match[d]))
            except ValueError:
                continue
    return None


def _is_series(line: str) -> bool:
    """A short label such as 'FB Digest@VoxPOPULI'."""
    return len(line.split()) <= 6 and _heading_shaped(line) and bool(_layout().series.search(line))


# Before the opening quote mark of a pull quote: nothing, or dots ("..“ I am ...”").
_QUOTE_LEAD = re.compile(r"[.…]*\s*")


def _quote_bounds(line: str) -> tuple[int, int] | None:
    """Where the words of a pull quote lie in its line, if the line is one: inside the quote
    marks that open it (after any dots) and close it, without the blanks."""
    start = _QUOTE_LEAD.match(line).end()  # type: ignore[union-attr]
    if len(line) - start <= 2 or line[start] not in _OPEN_QUOTES or line[-1] not in _CLOSE_QUOTES:
        return None
    inner = line[start + 1 : -1]
    if not inner.strip():
        return None
    begin = start + 1 + len(inner) - len(inner.lstrip())
    return begin, begin + len(inner.strip())


def _pull_quote_span(line: _Line) -> Span:
    bounds = _quote_bounds(line.text)
    assert bounds is not None  # only pull-quote lines come here
    return Span(line.span.begin + bounds[0], line.span.begin + bounds[1])


# --- sections and paragraphs

_SENTENCE_PUNCTUATION = tuple('.!?:;…”’"')
# What a digest's last sentence may end with; anything else reads as cut off.
_FINAL_PUNCTUATION = tuple('.!?…”’"»)')


def _heading_shaped(line: str) -> bool:
    return len(line.split()) <= 12 and not line.endswith(_SENTENCE_PUNCTUATION)


def _sections(body: list[_Line], source: str, warnings: list[str]) -> list[Section]:
    """Group body lines into sections: a heading line is one followed by a paragraph, or
    one followed by an indented sub-heading and then a paragraph."""
    shaped = [_heading_shaped(line.text) for line in body]

    def paragraph(k: int) -> bool:
        return k < len(body) and not shaped[k]

    headings = [s and paragraph(k + 1) for k, s in enumerate(shaped)]
    for k in range(len(body) - 2):
        sub = body[k + 1]
        if shaped[k] and headings[k + 1] and sub.indent > body[k].indent:
            headings[k] = True
            warnings.append(
                f"{source}:{sub.number}: indented sub-heading {sub.text!r} under "
                f"{body[k].text!r}; read as a section of its own"
            )
    inline = bool(body) and not any(headings) and _has_inline_headings(body)

    sections: list[Section] = []
    for line, is_heading in zip(body, headings, strict=True):
        if is_heading:
            sections.append(Section(len(sections) + 1, line.text, line.span))
            continue
        start = 0
        match = _inline_heading(line.text) if inline else None
        if match:
            title_span = Span(line.span.begin + match.start(1), line.span.begin + match.end(1))
            sections.append(Section(len(sections) + 1, match.group(1), title_span))
            start = match.end()
        elif not sections:
            sections.append(Section(1, "", Span(line.span.begin, line.span.begin)))
        sentences = _sentences(line.text, line.span.begin, start)
        sections[-1].paragraphs.append(Paragraph(line.span, line.text, sentences))
    return sections


def _has_inline_headings(body: list[_Line]) -> bool:
    """Whether the paragraphs open with inline headings: the first does, or the first is a
    lead and the second and at least one more do."""
    opens = [_inline_heading(line.text) is not None for line in body]
    return opens[0] or (len(opens) > 2 and opens[1] and any(opens[2:]))


def _warn_if_cut_off(digest: Digest, warnings: list[str]) -> None:
    paragraphs = digest.paragraphs()
    if paragraphs and not paragraphs[-1].text.endswith(_FINAL_PUNCTUATION):
        last = paragraphs[-1]
        warnings.append(
            f"{digest.source}:{digest.line_of(last.span.begin)}: the digest's last sentence "
            f"ends without punctuation (...{last.text[-30:]!r}); read as cut off"
        )


# An inline heading: a few words without sentence punctuation, then ". ".
_INLINE_HEADING = re.compile(r"([^\s.!?:;,“”\"]+(?: [^\s.!?:;,“”\"]+){0,7})\.\s+")


def _inline_heading(paragraph: str) -> re.Match[str] | None:
    """A heading at the start of a paragraph, as in older issues; conservative.

    'Post-conflict situation. The FB community ...' has one; 'Tensions
    escalated. The ...' and 'Moreover, the Security Service ...' do not.
    """
    match = _INLINE_HEADING.match(paragraph)
    if not match:
        return None
    first, *rest = words = match.group(1).split()
    following = paragraph[match.end() :].lstrip(_OPEN_QUOTES + "‘(")
    looks_like_heading = (
        sum(any(c.isalpha() for c in w) for w in words) <= 6  # "(Lack of )" is two words
        and first.lstrip("(")[:1].isupper()
        and first not in _layout().heading_pronouns
        and following[:1].isupper()
        and not any(
            w in _layout().heading_verbs or (w.islower() and w.endswith("ed")) for w in rest
        )
    )
    return match if looks_like_heading else None


# --- sentences

# A candidate sentence end: the word before it, then . ! ? … with closing quotes
# or brackets, then a blank. `_ends_sentence` decides.
_END = re.compile(r"(\S*?)([.!?…]+[”\"’')\]»]*)(?=\s)")
_NEXT_WORD = re.compile(r"\s+[“\"‘'(\[«]?(\w)")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "U.N", "U.S", "e.g", "H"


def _sentences(text: str, offset: int, start: int) -> list[Sentence]:
    """Split a paragraph's text from `start` on; spans are shifted by `offset`."""
    cuts = [m.end() for m in _END.finditer(text, start) if _ends_sentence(text, m)]
    sentences = []
    for begin, end in zip([start, *cuts], [*cuts, len(text)], strict=True):
        piece = text[begin:end]
        if stripped := piece.strip():
            b = offset + begin + len(piece) - len(piece.lstrip())
            sentences.append(Sentence(Span(b, b + len(stripped)), stripped))
    return sentences


def _ends_sentence(text: str, end: re.Match[str]) -> bool:
    """Whether a candidate end is one: the next word must start with a capital or a
    digit, and a lone full stop must not close an abbreviation or initials.

    "Washington, DC. This time" ends a sentence; "the U.N. Security Council",
    "Dr. Aliyev" and "No. 5" do not; "“TikTok.” No official" ends after the quote.
    """
    following = _NEXT_WORD.match(text, end.end())
    if not following or not (following[1].isupper() or following[1].isdigit()):
        return False
    if end[2] != ".":
        return True
    word = end[1].lstrip("“\"‘'([«")
    if word in _layout().titles or _INITIALS.fullmatch(word):
        return False
    return not (word in _layout().before_number and following[1].isdigit())
