"""A digest's body lines -> sections (a heading, its paragraphs) -> sentences."""

from __future__ import annotations

import re

from voxgraph.loader.read.digest import Digest, Paragraph, Section, Sentence, Span
from voxgraph.loader.read.front_matter import OPEN_QUOTES
from voxgraph.loader.read.lines import Line, heading_shaped, layout

# What a digest's last sentence may end with; anything else reads as cut off.
_FINAL_PUNCTUATION = tuple('.!?…”’"»)')


def sections(body: list[Line], source: str, warnings: list[str]) -> list[Section]:
    """Group body lines into sections: a heading line is one followed by a paragraph, or
    one followed by an indented sub-heading and then a paragraph."""
    shaped = [heading_shaped(line.text) for line in body]

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


def _has_inline_headings(body: list[Line]) -> bool:
    """Whether the paragraphs open with inline headings: the first does, or the first is a
    lead and the second and at least one more do."""
    opens = [_inline_heading(line.text) is not None for line in body]
    return opens[0] or (len(opens) > 2 and opens[1] and any(opens[2:]))


def warn_if_cut_off(digest: Digest, warnings: list[str]) -> None:
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
    following = paragraph[match.end() :].lstrip(OPEN_QUOTES + "‘(")
    looks_like_heading = (
        sum(any(c.isalpha() for c in w) for w in words) <= 6  # "(Lack of )" is two words
        and first.lstrip("(")[:1].isupper()
        and first not in layout().heading_pronouns
        and following[:1].isupper()
        and not any(w in layout().heading_verbs or (w.islower() and w.endswith("ed")) for w in rest)
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
    if word in layout().titles or _INITIALS.fullmatch(word):
        return False
    return not (word in layout().before_number and following[1].isdigit())
