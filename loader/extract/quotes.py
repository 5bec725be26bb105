"""The quotation scanner: where quoted words begin and end in a digest.

One scanner for the whole extraction stage: statements take their quotes from
it, and events use it to leave what people said out of what happened. It
reads the marks the series writes:

- curly quotes “…” (nested quotes stay inside the outer quotation) and
  guillemets «…»;
- straight quotes "…": a straight mark opens where a word follows it and
  something other than a word precedes it, and closes otherwise;
- a closing mark with no opening one: the quotation began after the last
  colon ("Safarov wrote: The Head … khan.”");
- a quotation over several paragraphs, in the English way: every paragraph of
  it opens with a mark and only the last one closes; and a quotation cut off
  by the end of its paragraph (the last sentence of a digest, say) ends there.
"""

from __future__ import annotations

from voxgraph.loader.read.digest import Digest, Paragraph, Span

OPENING = "“«„"
CLOSING = "”»"
STRAIGHT = '"'


def _opens(text: str, index: int) -> bool:
    """Does the straight mark at `index` open a quotation?"""
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return not (before.isalnum() or before in ".,;:!?…%") and not after.isspace()


def _scan(text: str) -> tuple[list[tuple[int, int]], int | None]:
    """Outermost quotations of one paragraph as (begin, end) inside `text`,
    and where a quotation left open at its end began."""
    spans: list[tuple[int, int]] = []
    stack: list[str] = []  # the marks that opened the quotations around here
    start, colon = 0, None
    for index, char in enumerate(text):
        straight = char == STRAIGHT
        if char in OPENING or (
            straight and (not stack or stack[-1] != STRAIGHT) and _opens(text, index)
        ):
            if not stack:
                start = index + 1
                if colon is not None and not text[colon:index].strip():
                    colon = None  # "wrote: “…”": the colon introduces this quotation
            stack.append(STRAIGHT if straight else char)
        elif (char in CLOSING or straight) and stack:
            stack.pop()
            if not stack:
                spans.append((start, index))
        elif char in CLOSING and colon is not None:
            # the quotation began after the colon; quotes seen since are inside it
            spans = [s for s in spans if s[0] < colon]
            spans.append((colon, index))
            colon = None
        elif char == ":" and not stack:
            colon = index + 1
    return spans, (start if stack else None)


def _trim(text: str, begin: int, end: int, base: int) -> Span:
    """Without surrounding blanks and a trailing comma ('“…,” said X'),
    shifted by `base`."""
    while begin < end and text[begin].isspace():
        begin += 1
    while end > begin and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return Span(base + begin, base + end)


def quote_spans(paragraph: Paragraph) -> list[Span]:
    """Outermost quotations of one paragraph, without their marks; one left
    open runs to the end of the paragraph."""
    spans, open_at = _scan(paragraph.text)
    if open_at is not None:
        spans.append((open_at, len(paragraph.text)))
    return [_trim(paragraph.text, b, e, paragraph.span.begin) for b, e in spans]


def quotations(digest: Digest) -> list[Span]:
    """Outermost quotations of the whole digest, in text order. A quotation
    left open at the end of a paragraph whose next paragraph opens with a
    quote mark goes on there (one span over both)."""
    found: list[Span] = []
    carried: int | None = None  # where a quotation still open began
    carried_end = 0  # the end of the last paragraph it ran through
    for paragraph in digest.paragraphs():
        text, base = paragraph.text, paragraph.span.begin
        spans, open_at = _scan(text)
        if carried is not None:
            goes_on = text[:1] in OPENING + STRAIGHT
            if goes_on and spans and spans[0][0] == 1:
                found.append(_trim(digest.text, carried, base + spans.pop(0)[1], 0))
            elif goes_on and open_at == 1:
                carried_end = paragraph.span.end  # still open
                continue
            else:
                found.append(_trim(digest.text, carried, carried_end, 0))
            carried = None
        found += [_trim(text, b, e, base) for b, e in spans]
        if open_at is not None:
            carried, carried_end = base + open_at, paragraph.span.end
    if carried is not None:
        found.append(_trim(digest.text, carried, carried_end, 0))
    return sorted(found, key=lambda s: s.begin)
