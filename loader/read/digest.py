"""What reading gives: a `Digest`, its sections, paragraphs and sentences, each part with
the span of characters it covers in `Digest.text` (see loader/read/parse.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


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
