"""A web page of the series -> digest text, and where a digest file came from.

Both `voxgraph harvest` (pages fetched from the publisher's site) and
`voxgraph load` (pages saved with a browser's "Save page as" or `wget`, named
`*.html` or `*.htm`) read a page with `page_digest`: trafilatura, a maintained
main-content extraction library, finds the article among the theme's chrome
(header, menus, share buttons, sidebar, comments, footer) and gives its text
block by block; each block (paragraph, heading, quote, date line) becomes one
line, with a blank line between blocks, which is the layout of the series'
digest files (loader/read/parse.py). Whitespace inside a block is collapsed, as a
browser shows it. The page's URL is its canonical link (`<link
rel="canonical">`, else `og:url`), which WordPress writes into every post page.

A digest harvested into a text file keeps its page's URL in a sidecar file
next to it, `NAME.txt.source`, holding the URL on one line, so that the text
file stays exactly the digest's text (every character offset in the graph
points into it) and the digest's `dcterms:source` is still the URL.
`digest_input` reads any input file this way: the bytes to parse, and the
name its `dcterms:source` gets (the sidecar's URL, the page's canonical URL,
or else the file name).
"""

from __future__ import annotations

import re
from pathlib import Path

import trafilatura

from voxgraph.loader.read.digest import DigestError
from voxgraph.loader.read.parse import read_digest_bytes

PAGE_SUFFIXES = (".html", ".htm")
SOURCE_SUFFIX = ".source"  # the sidecar of 2022-11-04.txt is 2022-11-04.txt.source
# A saved page carries the theme, scripts and styles: far more than the digest's
# ~11 KB, but a page over this is not a page of the series.
MAX_PAGE_BYTES = 20_000_000

_SPACES = re.compile(r"\s+")


def page_digest(page: bytes | str) -> tuple[str | None, str | None]:
    """The article's text laid out as a digest file, and the page's canonical URL.

    The text is None when no article text is found. Comments, images and link
    targets are left out; tables are kept (as text).
    """
    tree = trafilatura.load_html(page)
    if tree is None:
        return None, None
    url = trafilatura.extract_metadata(tree).url
    extracted = trafilatura.extract(
        tree,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        favor_precision=True,  # a short article must not bring the theme's menus along
    )
    return digest_layout(extracted or ""), url


def digest_layout(text: str) -> str | None:
    """One line per block, blanks inside a block collapsed, a blank line between blocks."""
    blocks = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    blocks = [block for block in blocks if block]
    return "\n\n".join(blocks) + "\n" if blocks else None


def source_file(path: Path) -> Path:
    """The sidecar holding the URL a digest text file was harvested from."""
    return path.with_name(path.name + SOURCE_SUFFIX)


def digest_input(path: Path) -> tuple[bytes, str]:
    """The digest bytes an input file gives, and the name its `dcterms:source` gets.

    A page (`*.html`, `*.htm`) gives its article's text as UTF-8 and its
    canonical URL; a text file gives its bytes and the URL in its sidecar.
    Either falls back to the file name. Raises DigestError.
    """
    if path.suffix.lower() not in PAGE_SUFFIXES:
        raw = read_digest_bytes(path)
        sidecar = source_file(path)
        if sidecar.is_file() and (named := sidecar.read_text(encoding="utf-8").strip()):
            return raw, named.splitlines()[0].strip()
        return raw, path.name
    text, url = page_digest(read_digest_bytes(path, MAX_PAGE_BYTES, "page too large"))
    if text is None:
        raise DigestError(path.name, None, "no article text found in the page")
    return text.encode("utf-8"), url or path.name
