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
paragraph may come in another order. Paragraphs that come before any heading go
into a section titled "" whose title_span is the empty span at the start of
its first paragraph. Older issues have no heading lines but open paragraphs
with an inline heading ("Post-conflict situation. The FB community ..."); these
are recognised only in a digest without heading lines whose first paragraph
opens with one. Such a paragraph keeps its whole line as text and span, the
section's title_span covers just the heading inside it, and the paragraph's
sentences start after it.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple


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
    publisher_span: Span
    date: date
    date_span: Span
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
    """Parse a digest's text; raises DigestError if it is not laid out like one."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = _content_lines(text)
    if not lines:
        raise DigestError(source, None, "empty digest: there is no text")

    front: dict[str, _Line] = {}
    i = 0
    while i < len(lines) and (kind := _front_matter_kind(lines[i].text, front)):
        front[kind] = lines[i]
        i += 1
    if "publisher" not in front:
        line = lines[min(i, len(lines) - 1)]
        raise DigestError(
            source,
            line.number,
            "no publisher line: expected a line such as "
            f"'Center for National and International Studies' at the top, found {line.text[:60]!r}",
        )

    body = lines[i:]
    bottom = body.pop() if body and _parse_date(body[-1].text) else None
    top = front.get("date")
    if top and bottom and _parse_date(top.text) != _parse_date(bottom.text):
        raise DigestError(
            source,
            bottom.number,
            f"two publication dates: {top.text!r} (line {top.number}) and {bottom.text!r}",
        )
    date_line = top or bottom
    if date_line is None:
        raise DigestError(
            source,
            lines[-1].number,
            "no publication date found: expected a line such as 'November 4, 2022' "
            "or '24.07.2023' at the top or bottom",
        )

    series = front.get("series")
    quote = front.get("pull_quote")
    quote_span = _inside_quote_marks(quote) if quote else None
    return Digest(
        source=source,
        text=text,
        publisher=front["publisher"].text,
        publisher_span=front["publisher"].span,
        date=_parse_date(date_line.text),
        date_span=date_line.span,
        series=series.text if series else None,
        series_span=series.span if series else None,
        pull_quote=text[quote_span.begin : quote_span.end] if quote_span else None,
        pull_quote_span=quote_span,
        sections=_sections(body),
    )


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


def _content_lines(text: str) -> list[_Line]:
    lines = []
    begin = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if stripped := raw.strip():
            start = begin + len(raw) - len(raw.lstrip())
            lines.append(_Line(number, Span(start, start + len(stripped)), stripped))
        begin += len(raw) + 1
    return lines


# --- the lines above the first heading or paragraph

_PUBLISHER = re.compile(r"\b(Center|Centre|Studies|Institute)\b", re.IGNORECASE)
_SERIES = re.compile(r"@|\bdigest\b", re.IGNORECASE)
_OPEN_QUOTES = '“"„«'
_CLOSE_QUOTES = '”"“»'
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%d.%m.%Y", "%Y-%m-%d")


def _front_matter_kind(line: str, found: dict[str, _Line]) -> str | None:
    """What a line at the top is; None once the body begins.

    The date and a series line may come before or after the publisher line;
    the pull quote only after it.
    """
    if "date" not in found and _parse_date(line):
        return "date"
    if "series" not in found and _is_series(line):
        return "series"
    if "publisher" not in found:
        return "publisher" if _PUBLISHER.search(line) else None
    if "pull_quote" not in found and _is_pull_quote(line):
        return "pull_quote"
    return None


def _parse_date(line: str) -> date | None:
    """The date if the whole line is one, in one of the formats the publisher uses."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(line, fmt).date()
        except ValueError:
            continue
    return None


def _is_series(line: str) -> bool:
    """A short label such as 'FB Digest@VoxPOPULI'."""
    return len(line.split()) <= 6 and _heading_shaped(line) and bool(_SERIES.search(line))


def _is_pull_quote(line: str) -> bool:
    return (
        len(line) > 2
        and line[0] in _OPEN_QUOTES
        and line[-1] in _CLOSE_QUOTES
        and bool(line[1:-1].strip())
    )


def _inside_quote_marks(line: _Line) -> Span:
    inner = line.text[1:-1]
    begin = line.span.begin + 1 + len(inner) - len(inner.lstrip())
    return Span(begin, begin + len(inner.strip()))


# --- sections and paragraphs

_SENTENCE_PUNCTUATION = tuple('.!?:;…”’"')


def _heading_shaped(line: str) -> bool:
    return len(line.split()) <= 12 and not line.endswith(_SENTENCE_PUNCTUATION)


def _sections(body: list[_Line]) -> list[Section]:
    """Group body lines into sections: a heading line is one followed by a paragraph."""
    shaped = [_heading_shaped(line.text) for line in body]
    headings = [s and k + 1 < len(body) and not shaped[k + 1] for k, s in enumerate(shaped)]
    inline = bool(body) and not any(headings) and _inline_heading(body[0].text) is not None

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


# An inline heading: a few words without sentence punctuation, then ". ".
_INLINE_HEADING = re.compile(r"([^\s.!?:;,“”\"]+(?: [^\s.!?:;,“”\"]+){0,7})\.\s+")
_PRONOUNS = {"I", "We", "You", "He", "She", "It", "They", "This", "That", "These", "Those", "There"}
_VERBISH = {
    "is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did",
    "will", "would", "shall", "should", "can", "could", "may", "might", "must", "not",
    "said", "says", "say", "told", "tells", "made", "makes", "took", "takes",
}  # fmt: skip


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
        and first not in _PRONOUNS
        and following[:1].isupper()
        and not any(w in _VERBISH or (w.islower() and w.endswith("ed")) for w in rest)
    )
    return match if looks_like_heading else None


# --- sentences

# A candidate sentence end: the word before it, then . ! ? … with closing quotes
# or brackets, then a blank. `_ends_sentence` decides.
_END = re.compile(r"(\S*?)([.!?…]+[”\"’')\]»]*)(?=\s)")
_NEXT_WORD = re.compile(r"\s+[“\"‘'(\[«]?(\w)")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "U.N", "U.S", "e.g", "H"
_TITLES = {
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Lt", "Col", "Maj", "Capt", "Sgt",
    "Sen", "Rep", "Gov", "Amb", "St", "Rev", "Hon", "vs",
}  # fmt: skip
_BEFORE_NUMBER = {
    "No", "Nos", "Art", "Vol", "p", "pp",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
}  # fmt: skip


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
    if word in _TITLES or _INITIALS.fullmatch(word):
        return False
    return not (word in _BEFORE_NUMBER and following[1].isdigit())
