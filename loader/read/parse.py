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

import os
from pathlib import Path

from voxgraph.loader.read.digest import Digest, DigestError
from voxgraph.loader.read.front_matter import (
    bottom_matter,
    front_matter,
    publication_date,
    pull_quote_span,
)
from voxgraph.loader.read.lines import content_lines, decode, layout, without_stray_lines
from voxgraph.loader.read.sections import sections, warn_if_cut_off

# The largest digest of the series is about 11 KB; anything far larger is not
# one, and mapping it would take minutes.
MAX_DIGEST_BYTES = 1_000_000


def read_digest(path: str | os.PathLike[str]) -> Digest:
    """Read a digest file; its file name becomes `Digest.source`."""
    path = Path(path)
    return digest_from_bytes(read_digest_bytes(path), path.name)


def read_digest_bytes(
    path: Path, limit: int = MAX_DIGEST_BYTES, too_large: str = "file too large for a digest"
) -> bytes:
    """The bytes of a digest file (or a saved page: loader/read/webpage.py), refusing a
    missing one, or one of more than `limit` bytes, before reading it."""
    if not path.is_file():
        raise DigestError(str(path), None, "no such file")
    size = path.stat().st_size
    if size > limit:
        raise DigestError(path.name, None, f"{too_large}: {size:,} bytes, the limit is {limit:,}")
    return path.read_bytes()


def digest_from_bytes(raw: bytes, source: str) -> Digest:
    """Decode (see `decode` for the encodings accepted) and parse a digest's bytes."""
    warnings: list[str] = []
    digest = parse_digest(decode(raw, source, warnings), source=source)
    digest.warnings[:0] = warnings
    return digest


def parse_digest(text: str, source: str) -> Digest:
    """Parse a digest's text; raises DigestError if it is no digest (see the module's notes)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[str] = []
    lines = content_lines(text)
    if not lines:
        raise DigestError(source, None, "empty digest: there is no text")
    lines = without_stray_lines(lines, source, warnings)
    if not lines:
        raise DigestError(source, None, "empty digest: no text besides image captions or rules")

    front, i = front_matter(lines, source, warnings)
    body = lines[i:]
    bottom = bottom_matter(body, front)
    date_line, published = publication_date(
        front.get("date"), bottom.get("date"), source, lines, warnings
    )
    publisher = front.get("publisher")
    if publisher is None:
        warnings.append(
            f"{source}:{lines[0].number}: no publisher line (expected one such as "
            f"{layout().publisher!r} at the top); assumed the series' publisher"
        )
    series = front.get("series") or bottom.get("series")
    quote = front.get("pull_quote")
    quote_span = pull_quote_span(quote) if quote else None
    digest = Digest(
        source=source,
        text=text,
        publisher=publisher.text if publisher else layout().publisher,
        publisher_span=publisher.span if publisher else None,
        date=published,
        date_span=date_line.span if date_line else None,
        series=series.text if series else None,
        series_span=series.span if series else None,
        pull_quote=text[quote_span.begin : quote_span.end] if quote_span else None,
        pull_quote_span=quote_span,
        sections=sections(body, source, warnings),
        warnings=warnings,
    )
    warn_if_cut_off(digest, warnings)
    return digest
