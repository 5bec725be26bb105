"""The timeline at /timeline: every incident by date, a page at a time, filterable by class
and actor, under a chart of incidents per month by class; /timeline.csv, the chart's numbers.

An incident (loader/store/consolidate.py: one happening, with the event reports of every
digest that reports it) is placed at its `vox:date` where its reports state one and
agree, else at `vox:firstReported` (the date of the first digest reporting it), and
marked so. Each is listed with "reported in N digests" and each report's sentence,
linking to its place in the digest. Server-rendered: works without JavaScript.

Pages, oldest first, `size` incidents each (default DEFAULT_SIZE, at most
paging.MAX_SIZE), with links to the earlier and the later page that name the
incident they continue from (`after=` / `before=` a date and an incident: keyset
pagination, so a page costs the same wherever it is), and `from=` a date to start
there. What a page reads is bounded by what it shows:

- The loader keeps the number of incidents per day and class (loader/store/statistics.py),
  so the page knows, from the month records alone, which days hold its incidents and
  how many come before them; it then asks for the incidents of those days only, and
  for the details (reports, sentences, actors) of the ones it shows.
- With an actor, the page reads the actor's own index entries in the incidents graph
  (one row per incident naming the actor, to order them; kept for its next pages:
  server/cache.kept_list), then the details of the page's incidents.

The chart counts incidents per month and class for CHART_MONTHS months from the
page's first incident, following the filters: from the statistics' month totals
(no query at all), or, with an actor, from the actor's kept entries. Drawn as SVG
on the server (a row per class, a bar per month, each with its number and a link to
the list from that month), with the same numbers as a table and as CSV.

Every query names the graph its triples are in: an actor's label is stated again in
every digest that names it, so the union would repeat it.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from voxgraph import iris
from voxgraph.loader.store import Store, statistics
from voxgraph.loader.store.statistics import ALL_KINDS, Statistics
from voxgraph.server import linked_data as ld
from voxgraph.server import paging
from voxgraph.server.cache import kept_list
from voxgraph.server.linked_data import rows

bp = Blueprint("timeline", __name__)

DEFAULT_SIZE = 100
CHART_MONTHS = 12
END = "9999-12-31"  # `before=` this: the last page
Key = tuple[str, str]  # (day, incident IRI): the timeline's order
INCIDENTS = f"<{iris.INCIDENTS_GRAPH}>"
ONTOLOGY = ox.NamedNode(str(iris.ONTOLOGY_GRAPH))
VOX = str(iris.VOX)

DAY_INCIDENTS = """
SELECT DISTINCT ?incident ?day WHERE {{
  VALUES ?day {{ {days} }}
  GRAPH {graph} {{
    {{ ?incident vox:date ?day }}
    UNION
    {{ ?incident vox:firstReported ?day FILTER NOT EXISTS {{ ?incident vox:date ?own }} }}
    ?incident vox:eventClass {kind} .
  }}
}}"""
ACTOR_INCIDENTS = """
SELECT DISTINCT ?incident ?class ?first ?happened WHERE {{
  GRAPH {graph} {{
    {{ ?incident vox:agent <{actor}> }} UNION {{ ?incident vox:affected <{actor}> }}
    UNION {{ ?incident vox:participant <{actor}> }}
    ?incident vox:eventClass ?class ; vox:firstReported ?first .
    OPTIONAL {{ ?incident vox:date ?happened }}
  }}
}}"""
# An OPTIONAL whose variables the rest may leave unbound is evaluated on its own, over
# the whole store, and then joined; so dates, reports and actors come in queries of
# their own, each starting from the incidents shown.
DETAILS = """
SELECT ?incident ?class ?label ?first WHERE {{
  VALUES ?incident {{ {items} }}
  GRAPH {graph} {{ ?incident vox:eventClass ?class ; rdfs:label ?label ;
                   vox:firstReported ?first }}
}}"""
OWN_DATES = """
SELECT ?incident ?happened WHERE {{
  VALUES ?incident {{ {items} }} GRAPH {graph} {{ ?incident vox:date ?happened }}
}}"""
REPORTS = """
SELECT ?incident ?report ?digest ?reported WHERE {{
  VALUES ?incident {{ {items} }}
  GRAPH {graph} {{ ?incident vox:report ?report }}
  ?report vox:reportedIn ?digest . ?digest dcterms:date ?reported .
}}"""
ACTORS = """
SELECT ?incident ?actor WHERE {{
  VALUES ?incident {{ {items} }}
  GRAPH {graph} {{ ?incident vox:agent|vox:affected|vox:participant ?actor }}
}}"""
EVIDENCE = """
SELECT ?x ?b ?e ?anchor WHERE {{
  VALUES ?x {{ {items} }}
  ?x vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor
}}"""


@dataclass
class Report:
    """One digest's report of an incident: its sentence."""

    iri: str
    digest: str
    reported: str
    evidence: tuple[int, int, str] | None = None

    @property
    def anchor(self) -> str:
        page = ld.local_href(self.digest) or ""
        return f"{page}#char={self.evidence[0]},{self.evidence[1]}" if self.evidence else page


@dataclass
class Incident:
    iri: str
    date: str
    dated: bool  # False: placed at its first report's date, the reports state none
    kind: str  # its class's local name ("Arrest")
    label: str
    actors: dict[str, str] = field(default_factory=dict)  # IRI -> label
    reports: list[Report] = field(default_factory=list)  # oldest first

    @property
    def digests(self) -> int:
        return len({report.digest for report in self.reports})


@dataclass
class Page:
    keys: list[Key]  # the incidents shown, in order
    position: int  # incidents before the first shown
    total: int


# The chart's drawing, in SVG user units: a 400-wide viewBox (scaled to the page's width),
# a column of class names, then a column per month; a row per class.
CHART_WIDTH, LABELS, COLUMN, ROW, TOP, AXIS, BAR = 400, 128, 22, 32, 4, 30, 16


@dataclass
class Bar:
    month: str  # "2030-01"
    count: int
    href: str
    x: float = 0.0  # left edge
    y: float = 0.0  # top edge
    height: float = 0.0

    @property
    def centre(self) -> float:
        return self.x + (COLUMN - 4) / 2


@dataclass
class Row:
    kind: str
    label: str
    bars: list[Bar]
    baseline: float = 0.0


@bp.route("/timeline")
def timeline() -> str:
    store = current_app.config["VOXGRAPH_STORE"]
    kind, actor = filters()
    size = paging.page_size(DEFAULT_SIZE)
    after, before = cursor("after"), cursor("before")
    start = request.args.get("from", "")
    if start and not _is_day(start):
        start = ""
    stats = store.statistics()
    entries = actor_entries(store, actor) if actor else None
    if entries is not None:
        found = actor_page(entries, kind, size, after, before, start)
    elif stats is not None and not actor:
        found = day_page(store, stats, kind, size, after, before, start)
    else:
        found = None
    shown = found.keys if found else []
    counts = month_counts(stats, entries, kind)
    first_month = shown[0][0][:7] if shown else (start[:7] if start else min(counts, default=""))
    kinds = stats.incident_kinds() if stats is not None else []
    return render_template(
        "timeline.html",
        incidents=details(store, shown),
        total=stats.incident_total() if stats is not None else None,
        matching=found.total if found else 0,
        first=found.position + 1 if found and shown else 0,
        last=found.position + len(shown) if found else 0,
        earlier=paging.link(before=_token(shown[0]), after=None, **{"from": None})
        if found and found.position > 0
        else None,
        later=paging.link(after=_token(shown[-1]), before=None, **{"from": None})
        if found and shown and found.position + len(shown) < found.total
        else None,
        first_page=paging.link(after=None, before=None, **{"from": None}),
        last_page=paging.link(before=END, after=None, **{"from": None}),
        kinds=kinds,
        kind_labels=class_labels(store, kinds),
        kind=kind,
        actor=actor,
        actor_name=actor_label(store, actor) if actor else "",
        without_actor=paging.link(actor=None, after=None, before=None),
        start=start,
        size=size,
        missing_statistics=stats is None and not actor,
        chart=chart(store, counts, first_month, kind),
        csv_link=csv_link(kind, actor),
    )


@bp.route("/timeline.csv")
def timeline_csv() -> Response:
    """The chart's numbers for every month: month, class, incidents (the page's filters)."""
    store = current_app.config["VOXGRAPH_STORE"]
    kind, actor = filters()
    entries = actor_entries(store, actor) if actor else None
    counts = month_counts(store.statistics(), entries, kind)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", "class", "incidents"])
    for month, by_kind in sorted(counts.items()):
        for name, count in sorted(by_kind.items()):
            writer.writerow([month, name, count])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="incidents-per-month.csv"'},
    )


def csv_link(kind: str, actor: str) -> str:
    chosen = {name: value for name, value in (("type", kind), ("actor", actor)) if value}
    return "/timeline.csv" + ("?" + urlencode(chosen) if chosen else "")


def filters() -> tuple[str, str]:
    """The page's class (a local name, "" for every class) and actor (an IRI, or "")."""
    kind, actor = request.args.get("type", ""), request.args.get("actor", "")
    if kind and not kind.isidentifier():
        kind = "Nothing"  # no such class: nothing matches
    return kind, actor


def cursor(name: str) -> Key | None:
    """`after=` / `before=`: "2030-01-05" or "2030-01-05,incident/2030-01-05/229"."""
    value = request.args.get(name, "")
    day, _, incident = value.partition(",")
    if not _is_day(day):
        return None
    return (day, ld.ID_BASE + incident if incident else "")


def _token(key: Key) -> str:
    return f"{key[0]},{key[1].removeprefix(ld.ID_BASE)}"


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return text == END
    return len(text) == 10


def _kind_term(kind: str) -> str:
    return f"vox:{kind}" if kind else "?class"


# -- the whole timeline: days from the statistics ------------------------------------------


def day_page(
    store: Store,
    stats: Statistics,
    kind: str,
    size: int,
    after: Key | None,
    before: Key | None,
    start: str,
) -> Page:
    """One page of every incident (of `kind`), found through the incidents-per-day records."""
    key = kind or ALL_KINDS
    months = sorted(m for m, kinds in stats.incidents.items() if kinds.get(key))
    total = sum(stats.incidents[m][key] for m in months)
    records: dict[str, dict[str, dict[str, int]]] = {}

    def days_of(month: str) -> list[tuple[str, int]]:
        if month not in records:
            records[month] = statistics.incident_days(store, month)
        return sorted((day, kinds[key]) for day, kinds in records[month].items() if kinds.get(key))

    backwards = before is not None
    edge: tuple[str, str]
    if before is not None:
        edge = before
    elif after is not None:
        edge = after
    else:
        edge = (start, "") if start else ("", "")
    chosen: list[str] = []
    gathered = 0
    ordered = months[::-1] if backwards else months
    for month in ordered:
        if (month > edge[0][:7]) if backwards else (month < edge[0][:7]):
            continue
        days = days_of(month)
        for day, count in days[::-1] if backwards else days:
            if (day > edge[0]) if backwards else (day < edge[0]):
                continue
            chosen.append(day)
            if day != edge[0] or not edge[1]:
                gathered += count
            if gathered >= size + 1:
                break
        if gathered >= size + 1:
            break
    fetched = sorted(day_incidents(store, chosen, kind))
    if backwards:
        keys = [k for k in fetched if k < edge][-size:]
    elif after is not None:
        keys = [k for k in fetched if k > edge][:size]
    else:
        keys = [k for k in fetched if k >= edge][:size]
    if not keys:
        return Page([], 0, total)
    first_day = keys[0][0]
    position = sum(stats.incidents[m][key] for m in months if m < first_day[:7])
    position += sum(count for day, count in days_of(first_day[:7]) if day < first_day)
    position += sum(1 for k in fetched if k[0] == first_day and k < keys[0])
    return Page(keys, position, total)


def day_incidents(store: Store, days: list[str], kind: str) -> set[Key]:
    """(day, incident) of every incident (of `kind`) placed on one of `days`."""
    if not days:
        return set()
    values = " ".join(f'"{day}"^^xsd:date' for day in days)
    query = DAY_INCIDENTS.format(days=values, graph=INCIDENTS, kind=_kind_term(kind))
    return {(row["day"], row["incident"]) for row in rows(store, query)}


# -- one actor's incidents -------------------------------------------------------------------


def actor_entries(store: Store, actor: str) -> list[tuple[str, str, str]]:
    """(day, incident, class local name) of every incident naming `actor`, in order: one
    index entry each, kept for the actor's next pages and the chart."""
    if not actor.startswith(("http://", "https://")) or any(c in actor for c in '<>"{}| \\^`'):
        return []

    def compute() -> list[tuple[str, str, str]]:
        query = ACTOR_INCIDENTS.format(graph=INCIDENTS, actor=actor)
        return sorted(
            (row.get("happened", row["first"]), row["incident"], row["class"].removeprefix(VOX))
            for row in rows(store, query)
        )

    return kept_list(store, f"incidents of {actor}", compute)


def actor_page(
    entries: list[tuple[str, str, str]],
    kind: str,
    size: int,
    after: Key | None,
    before: Key | None,
    start: str,
) -> Page:
    """One page of an actor's incidents (of `kind`), from the actor's entries."""
    keys = [(day, iri) for day, iri, found in entries if not kind or found == kind]
    if before is not None:
        end = bisect.bisect_left(keys, before)
        begin = max(0, end - size)
    elif after is not None:
        begin = bisect.bisect_right(keys, after)
    else:
        begin = bisect.bisect_left(keys, (start, "")) if start else 0
    return Page(keys[begin : begin + size], begin, len(keys))


def actor_label(store: Store, actor: str) -> str:
    if not actor.startswith(("http://", "https://")):
        return actor
    return ld.labels(store, [(actor, None)]).get(actor) or ld.first_label(store, actor) or actor


# -- what the page shows of each incident ----------------------------------------------------


def details(store: Store, keys: list[Key]) -> list[Incident]:
    """The incidents of `keys`, in that order, with their actors and reports."""
    if not keys:
        return []
    items = " ".join(f"<{iri}>" for _, iri in keys)
    found: dict[str, Incident] = {}
    for row in rows(store, DETAILS.format(items=items, graph=INCIDENTS)):
        found[row["incident"]] = Incident(
            row["incident"], row["first"], False, row["class"].removeprefix(VOX), row["label"]
        )
    for row in rows(store, OWN_DATES.format(items=items, graph=INCIDENTS)):
        if row["incident"] in found:
            found[row["incident"]].date, found[row["incident"]].dated = row["happened"], True
    reports: dict[str, Report] = {}
    for row in rows(store, REPORTS.format(items=items, graph=INCIDENTS)):
        report = reports.setdefault(
            row["report"], Report(row["report"], row["digest"], row["reported"])
        )
        if row["incident"] in found:
            found[row["incident"]].reports.append(report)
    for iri, span in first_spans(store, reports).items():
        reports[iri].evidence = span
    graph_of = {
        incident.iri: ox.NamedNode(str(iris.digest_graph(incident.reports[0].reported)))
        for incident in found.values()
        if incident.reports
    }
    actors = rows(store, ACTORS.format(items=items, graph=INCIDENTS))
    names = ld.labels(store, [(r["actor"], graph_of.get(r["incident"])) for r in actors])
    for row in actors:
        if row["incident"] in found and row["actor"] in names:
            found[row["incident"]].actors[row["actor"]] = names[row["actor"]]
    for incident in found.values():
        incident.reports.sort(key=lambda r: (r.reported, r.iri))
    return [found[iri] for _, iri in keys if iri in found]


def first_spans(store: Store, items: Iterable[str]) -> dict[str, tuple[int, int, str]]:
    """The first evidence span (begin, end, text) of each of `items` that has one."""
    spans: dict[str, tuple[int, int, str]] = {}
    values = " ".join(f"<{iri}>" for iri in items)
    if not values:
        return spans
    for row in rows(store, EVIDENCE.format(items=values)):
        span = (int(row["b"]), int(row["e"]), row["anchor"])
        spans[row["x"]] = min(span, spans.get(row["x"], span))
    return spans


# -- the chart ------------------------------------------------------------------------------


def month_counts(
    stats: Statistics | None, entries: list[tuple[str, str, str]] | None, kind: str
) -> dict[str, dict[str, int]]:
    """Incidents per month and class, following the filters: from the statistics' month
    totals, or from an actor's entries; {} for a store without statistics."""
    if entries is not None:
        counted: Counter[tuple[str, str]] = Counter(
            (day[:7], found) for day, _, found in entries if not kind or found == kind
        )
        months: dict[str, dict[str, int]] = {}
        for (month, found), count in sorted(counted.items()):
            months.setdefault(month, {})[found] = count
        return months
    if stats is None:
        return {}
    return {
        month: {
            found: count
            for found, count in by_kind.items()
            if found != ALL_KINDS and (not kind or found == kind)
        }
        for month, by_kind in stats.incidents.items()
        if not kind or by_kind.get(kind)
    }


def chart(
    store: Store, counts: dict[str, dict[str, int]], first_month: str, kind: str
) -> dict | None:
    """Rows (one per class, most incidents first) of bars (one per month) for CHART_MONTHS
    months from `first_month`; None when there is nothing to draw."""
    if not first_month:
        return None
    months = _months(first_month, CHART_MONTHS)
    totals: Counter[str] = Counter()
    for month in months:
        totals.update(counts.get(month, {}))
    if not totals:
        return None
    kinds = sorted(totals, key=lambda k: (-totals[k], k))
    labels = class_labels(store, kinds)
    chart_rows = [
        Row(
            found,
            labels.get(found, found),
            [
                Bar(
                    month,
                    counts.get(month, {}).get(found, 0),
                    paging.link(
                        type=found,
                        after=None,
                        before=None,
                        **{"from": month + "-01"},
                    )
                    + "#incidents",
                )
                for month in months
            ],
        )
        for found in kinds
    ]
    highest = max(bar.count for row in chart_rows for bar in row.bars)
    for index, row in enumerate(chart_rows):
        row.baseline = TOP + (index + 1) * ROW - 6
        for column, bar in enumerate(row.bars):
            bar.height = max(2.0, round(bar.count / highest * BAR, 1)) if bar.count else 0.0
            bar.x = LABELS + column * COLUMN + 2
            bar.y = row.baseline - bar.height
    axis = TOP + len(chart_rows) * ROW
    return {
        "months": [
            {
                "month": month,
                "x": LABELS + column * COLUMN + COLUMN / 2,
                "name": date.fromisoformat(month + "-01").strftime("%b"),
                "year": month[:4] if column == 0 or month.endswith("-01") else "",
            }
            for column, month in enumerate(months)
        ],
        "rows": chart_rows,
        "total": sum(totals.values()),
        "width": CHART_WIDTH,
        "labels": LABELS,
        "bar_width": COLUMN - 4,
        "axis": axis,
        "height": axis + AXIS,
        "first": months[0],
        "last": months[-1],
    }


def _months(first: str, count: int) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def class_labels(store: Store, kinds: list[str]) -> dict[str, str]:
    """The ontology's label of each class (local name -> "arrest"), one index seek each."""
    found = ld.labels(store, [(VOX + k, ONTOLOGY) for k in kinds])
    return {k: found[VOX + k] for k in kinds if VOX + k in found}
