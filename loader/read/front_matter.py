"""The lines above a digest's first heading or paragraph (publisher, series, date, pull
quote, in any order) and below its last (date, series)."""

from __future__ import annotations

import re
from datetime import date, datetime

from voxgraph.loader.read.digest import DigestError, Span
from voxgraph.loader.read.lines import Line, heading_shaped, layout
from voxgraph.names import normalise_name

OPEN_QUOTES = '“"„«'
_CLOSE_QUOTES = '”"“»'
_DATE_FORMATS = (
    "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%d %B, %Y",
    "%d.%m.%Y", "%Y-%m-%d",
)  # fmt: skip
# How far below unknown lines (alt text not in the list) a publisher line is looked for.
_PUBLISHER_LOOKAHEAD = 3


def front_matter(
    lines: list[Line], source: str, warnings: list[str]
) -> tuple[dict[str, Line], int]:
    """The publisher, series, date and pull-quote lines at the top, and where the body begins."""
    found: dict[str, Line] = {}
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


def _front_matter_kind(line: str, found: dict[str, Line]) -> str | None:
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


def _repeated(line: str, found: dict[str, Line]) -> str | None:
    """'series' or 'publisher' if the line repeats the one found."""
    for kind in ("series", "publisher"):
        if kind in found and normalise_name(line) == normalise_name(found[kind].text):
            return kind
    return None


def _publisher_below(lines: list[Line], i: int, found: dict[str, Line]) -> int | None:
    """The index of a publisher line (a known spelling) just below short unknown lines."""
    if "publisher" in found:
        return None
    for j in range(i, min(i + _PUBLISHER_LOOKAHEAD, len(lines))):
        if layout().publisher_names.search(lines[j].text) and heading_shaped(lines[j].text):
            return j if j > i else None
        if len(lines[j].text.split()) > 12:
            return None
    return None


def _is_publisher(line: str) -> bool:
    """A known spelling of the publisher, or a short line with one of its words."""
    if layout().publisher_names.search(line):
        return True
    return heading_shaped(line) and bool(layout().publisher_words.search(line))


def bottom_matter(body: list[Line], front: dict[str, Line]) -> dict[str, Line]:
    """The date and series lines at the end, taken off `body`."""
    found: dict[str, Line] = {}
    while len(body) > 1 or (body and not found):
        text = body[-1].text
        if "date" not in found and _parse_date(text):
            found["date"] = body.pop()
        elif "series" not in found and "series" not in front and _is_series(text):
            found["series"] = body.pop()
        else:
            break
    return found


def publication_date(
    top: Line | None,
    bottom: Line | None,
    source: str,
    lines: list[Line],
    warnings: list[str],
) -> tuple[Line | None, date]:
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
    return len(line.split()) <= 6 and heading_shaped(line) and bool(layout().series.search(line))


# Before the opening quote mark of a pull quote: nothing, or dots ("..“ I am ...”").
_QUOTE_LEAD = re.compile(r"[.…]*\s*")


def _quote_bounds(line: str) -> tuple[int, int] | None:
    """Where the words of a pull quote lie in its line, if the line is one: inside the quote
    marks that open it (after any dots) and close it, without the blanks."""
    start = _QUOTE_LEAD.match(line).end()  # type: ignore[union-attr]
    if len(line) - start <= 2 or line[start] not in OPEN_QUOTES or line[-1] not in _CLOSE_QUOTES:
        return None
    inner = line[start + 1 : -1]
    if not inner.strip():
        return None
    begin = start + 1 + len(inner) - len(inner.lstrip())
    return begin, begin + len(inner.strip())


def pull_quote_span(line: Line) -> Span:
    bounds = _quote_bounds(line.text)
    assert bounds is not None  # only pull-quote lines come here
    return Span(line.span.begin + bounds[0], line.span.begin + bounds[1])
