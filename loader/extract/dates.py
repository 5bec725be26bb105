"""Resolve the dates a digest gives against its publication date.

    "On November 2"          -> that day of the digest's year (the year before
    "on the 13th of October"    if that day would lie more than a month ahead)
    "On 6-8 March"           -> the first day of the range
    "On Tuesday"             -> the latest Tuesday on or before the digest date,
    "for Thursday"              also for a plan: a digest gathers the news of the
                                week before it, so a meeting "scheduled for
                                Thursday" in a Friday digest was the day before
    "next Thursday"          -> the first Thursday after the digest date
    "yesterday" / "today"    -> the day before / the digest date
    "until January 2, 2024"  -> as written

A date the text does not give stays None: never guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from voxgraph.loader.read.digest import Span

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_EXPRESSION = re.compile(
    r"\b(?:"
    + _MONTH
    + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<year>(?:19|20)\d\d))?"
    + r"|(?P<day2>\d{1,2})(?:st|nd|rd|th)?(?:\s*[–-]\s*\d{1,2}(?:st|nd|rd|th)?)?\s+(?:of\s+)?"
    + r"(?P<month2>"
    + "|".join(sorted(MONTHS, key=len, reverse=True))
    + r")(?:,?\s+(?P<year2>(?:19|20)\d\d))?"
    + r"|(?P<weekday>"
    + "|".join(WEEKDAYS)
    + r")"
    + r"|(?P<relative>yesterday|today|tomorrow)"
    + r")\b",
    re.IGNORECASE,
)
FUTURE_CUE = re.compile(r"\bnext\s*$", re.I)


@dataclass(frozen=True)
class DateMention:
    span: Span
    date: date


def _month_day(published: date, month: int, day: int, year: int | None) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(published.year, month, day)
    except ValueError:
        return None
    if candidate - published > timedelta(days=31):
        candidate = candidate.replace(year=published.year - 1)
    return candidate


def _weekday(published: date, weekday: int, future: bool) -> date:
    if future:
        return published + timedelta(days=(weekday - published.weekday() - 1) % 7 + 1)
    return published - timedelta(days=(published.weekday() - weekday) % 7)


def find_dates(text: str, published: date, offset: int = 0) -> list[DateMention]:
    """Date expressions in `text` (offsets shifted by `offset`), resolved."""
    found = []
    for match in DATE_EXPRESSION.finditer(text):
        groups = match.groupdict()
        future = bool(FUTURE_CUE.search(text[max(0, match.start() - 40) : match.start()]))
        resolved: date | None
        if groups["month"] or groups["month2"]:
            month = MONTHS[(groups["month"] or groups["month2"]).lower()]
            day = int(groups["day"] or groups["day2"])
            year = groups["year"] or groups["year2"]
            resolved = _month_day(published, month, day, int(year) if year else None)
        elif groups["weekday"]:
            resolved = _weekday(published, WEEKDAYS.index(groups["weekday"].lower()), future)
        else:
            shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[groups["relative"].lower()]
            resolved = published + timedelta(days=shift)
        if resolved is not None:
            span = Span(offset + match.start(), offset + match.end())
            found.append(DateMention(span, resolved))
    return found
