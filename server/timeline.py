"""The timeline at /timeline: every event by date, a page at a time, filterable by type and actor.

An event without a date of its own (the text gave none) is placed at the date of
the digest that reported it, and marked so. Server-rendered: works without JavaScript.

Pages, oldest first, `size` events each (default DEFAULT_SIZE, at most
paging.MAX_SIZE), with links to the earlier and the later page that name the
event they continue from (`after=` / `before=` a date and an event: keyset
pagination, so a page costs the same wherever it is), and `from=` a date to
start there. What a page reads is bounded by what it shows:

- The loader keeps the number of events per day and kind (loader/store/statistics.py),
  so the page knows, from the month records alone, which days hold its events and
  how many events come before them; it then asks for the events of those days
  only, and for the details (evidence, actors) of the ones it shows.
- With an actor, the page reads the actor's own index entries (one row per event
  of that actor, to order them; kept for its next pages: server/cache.kept_list),
  then the details of the page's events.

Incidents (loader/store/consolidate.py): the page still counts and pages event reports,
and lists each with its incident: at the first of an incident's reports on the page,
a link to it, "reported in N digests" and the sentence of each of its reports; at
its later reports there, a note that they belong to the incident above. What this
adds is bounded by the page too: the reports of the incidents of the page's events,
and their sentences.

Every query names the graph its triples are in (GRAPH ?g): an actor's label is
stated again in every digest that names it, so the union would repeat it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox
from flask import Blueprint, current_app, render_template, request

from voxgraph.loader.store import Store, statistics
from voxgraph.loader.store.statistics import ALL_KINDS, Statistics
from voxgraph.server import linked_data as ld
from voxgraph.server import paging
from voxgraph.server.cache import kept_list
from voxgraph.server.linked_data import rows
from voxgraph.server.resources import dated_keys

bp = Blueprint("timeline", __name__)

DEFAULT_SIZE = 100
END = "9999-12-31"  # `before=` this: the last page
Key = tuple[str, str]  # (day, event IRI): the timeline's order

# Each query starts from triples bound by what the page shows (days, an actor, the
# events shown) and joins triples of the event's own graph; an actor's label is looked
# up in the registry or in the graph the event names it in (ld.labels), never in the
# union, which holds a discovered actor's label once per digest naming it.
DAY_EVENTS = """
SELECT DISTINCT ?event ?day WHERE {{
  VALUES ?day {{ {days} }}
  {{ ?event vox:date ?day }}
  UNION
  {{ ?digest dcterms:date ?day . ?event vox:reportedIn ?digest .
     FILTER NOT EXISTS {{ ?event vox:date ?own }} }}
  ?event a vox:Event {kind} .
}}"""
ACTOR_EVENTS = """
SELECT ?event ?happened WHERE {{
  {{ ?event vox:agent <{actor}> }} UNION {{ ?event vox:affected <{actor}> }}
  UNION {{ ?event vox:participant <{actor}> }}
  ?event a vox:Event .
  OPTIONAL {{ ?event vox:date ?happened }}
  {kind}
}}"""
DETAILS = """
SELECT ?event ?graph ?kind ?date ?dated ?digest WHERE {{
  VALUES ?event {{ {events} }}
  GRAPH ?graph {{ ?event vox:reportedIn ?digest }}
  ?event a ?class .
  FILTER(?class != vox:Event && STRSTARTS(STR(?class), STR(vox:)))
  BIND(STRAFTER(STR(?class), "#") AS ?kind)
  ?digest dcterms:date ?reported .
  OPTIONAL {{ ?event vox:date ?happened }}
  BIND(STR(COALESCE(?happened, ?reported)) AS ?date)
  BIND(BOUND(?happened) AS ?dated)
}}"""
# An OPTIONAL whose variables the rest may leave unbound is evaluated on its own, over
# the whole store, and then joined; so evidence and actors come in queries of their own.
EVIDENCE = """
SELECT ?x ?b ?e ?anchor WHERE {{
  VALUES ?x {{ {items} }}
  ?x vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor
}}"""
INCIDENT_REPORTS = """
SELECT ?event ?incident ?report ?digest ?reported WHERE {{
  VALUES ?event {{ {events} }}
  ?event vox:incident ?incident . ?incident vox:report ?report .
  ?report vox:reportedIn ?digest . ?digest dcterms:date ?reported .
}}"""
OWN_DATES = """
SELECT ?x ?happened WHERE {{ VALUES ?x {{ {items} }} ?x vox:date ?happened }}"""
ACTORS = """
SELECT ?event ?actor ?graph WHERE {{
  VALUES ?event {{ {events} }}
  GRAPH ?graph {{ ?event vox:agent|vox:affected|vox:participant ?actor }}
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
class Event:
    iri: str
    date: str
    dated: bool  # False: the digest's date, the text gave none
    digest: str
    kinds: set[str]
    actors: dict[str, str]  # IRI -> label
    evidence: tuple[int, int, str] | None
    incident: str | None = None  # its vox:Incident
    reports: list[Report] = field(default_factory=list)  # the incident's, oldest first
    leads: bool = True  # False: the incident's earliest report is shown elsewhere
    folded: bool = False  # True: its incident is shown with an earlier event of the page

    @property
    def anchor(self) -> str:
        page = ld.local_href(self.digest) or ""
        return f"{page}#char={self.evidence[0]},{self.evidence[1]}" if self.evidence else page

    @property
    def digests(self) -> int:
        return len({report.digest for report in self.reports})


@dataclass
class Page:
    keys: list[Key]  # the events shown, in order
    position: int  # events before the first shown
    total: int


@bp.route("/timeline")
def timeline() -> str:
    store = current_app.config["VOXGRAPH_STORE"]
    kind, actor = request.args.get("type", ""), request.args.get("actor", "")
    size = paging.page_size(DEFAULT_SIZE)
    after, before = cursor("after"), cursor("before")
    start = request.args.get("from", "")
    if start and not _is_day(start):
        start = ""
    stats = store.statistics()
    if actor:
        found = actor_page(store, actor, kind, size, after, before, start)
    elif stats is not None:
        found = day_page(store, stats, kind, size, after, before, start)
    else:
        found = None
    events = details(store, found.keys) if found else []
    shown = found.keys if found else []
    total = stats.event_total() if stats is not None else None
    return render_template(
        "timeline.html",
        events=events,
        total=total,
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
        kinds=stats.event_kinds() if stats is not None else [],
        kind=kind,
        actor=actor,
        actor_name=actor_label(store, actor) if actor else "",
        without_actor=paging.link(actor=None, after=None, before=None),
        start=start,
        size=size,
        missing_statistics=stats is None and not actor,
    )


def cursor(name: str) -> Key | None:
    """`after=` / `before=`: "2030-01-05" or "2030-01-05,digest/2030-01-05/event/229"."""
    value = request.args.get(name, "")
    day, _, event = value.partition(",")
    if not _is_day(day):
        return None
    return (day, ld.ID_BASE + event if event else "")


def _token(key: Key) -> str:
    return f"{key[0]},{key[1].removeprefix(ld.ID_BASE)}"


def _is_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return text == END
    return len(text) == 10


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
    """One page of every event (of `kind`), found through the events-per-day records."""
    key = kind or ALL_KINDS
    months = sorted(m for m, kinds in stats.events.items() if kinds.get(key))
    total = sum(stats.events[m][key] for m in months)
    records: dict[str, dict[str, dict[str, int]]] = {}

    def days_of(month: str) -> list[tuple[str, int]]:
        if month not in records:
            records[month] = statistics.event_days(store, month)
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
    fetched = sorted(day_events(store, chosen, kind))
    if backwards:
        keys = [k for k in fetched if k < edge][-size:]
    elif after is not None:
        keys = [k for k in fetched if k > edge][:size]
    else:
        keys = [k for k in fetched if k >= edge][:size]
    if not keys:
        return Page([], 0, total)
    first_day = keys[0][0]
    position = sum(stats.events[m][key] for m in months if m < first_day[:7])
    position += sum(count for day, count in days_of(first_day[:7]) if day < first_day)
    position += sum(1 for k in fetched if k[0] == first_day and k < keys[0])
    return Page(keys, position, total)


def day_events(store: Store, days: list[str], kind: str) -> set[Key]:
    """(day, event) of every event (of `kind`) placed on one of `days`."""
    if not days:
        return set()
    values = " ".join(f'"{day}"^^xsd:date' for day in days)
    query = DAY_EVENTS.format(days=values, kind=_kind_pattern(kind))
    return {(row["day"], row["event"]) for row in rows(store, query)}


# -- one actor's events ----------------------------------------------------------------------


def actor_page(
    store: Store,
    actor: str,
    kind: str,
    size: int,
    after: Key | None,
    before: Key | None,
    start: str,
) -> Page:
    """One page of an actor's events (of `kind`): the actor's index entries, in order."""
    if not actor.startswith(("http://", "https://")) or any(c in actor for c in '<>"{}| \\^`'):
        return Page([], 0, 0)
    of_kind = f"FILTER EXISTS {{ ?event a vox:{kind} }}" if kind.isidentifier() else ""
    if kind and not of_kind:
        return Page([], 0, 0)
    query = ACTOR_EVENTS.format(actor=actor, kind=of_kind)
    keys = kept_list(
        store, f"timeline of {actor} {kind}", lambda: sorted(dated_keys(store, rows(store, query)))
    )
    if before is not None:
        end = bisect.bisect_left(keys, before)
        begin = max(0, end - size)
    elif after is not None:
        begin = bisect.bisect_right(keys, after)
    else:
        begin = bisect.bisect_left(keys, (start, "")) if start else 0
    shown = keys[begin : begin + size]
    return Page(shown, begin, len(keys))


def _kind_pattern(kind: str) -> str:
    if not kind:
        return ""
    if not kind.isidentifier():
        return ", vox:Nothing"  # no such class: nothing matches
    return f", vox:{kind}"


def actor_label(store: Store, actor: str) -> str:
    if not actor.startswith(("http://", "https://")):
        return actor
    return ld.labels(store, [(actor, None)]).get(actor) or ld.first_label(store, actor) or actor


# -- what the page shows of each event -------------------------------------------------------


def details(store: Store, keys: list[Key]) -> list[Event]:
    """The events of `keys`, in that order: first evidence span, all kinds and actors."""
    if not keys:
        return []
    values = " ".join(f"<{iri}>" for _, iri in keys)
    found: dict[str, Event] = {}
    for row in rows(store, DETAILS.format(events=values)):
        event = found.setdefault(
            row["event"],
            Event(
                row["event"], row["date"], row["dated"] == "true", row["digest"], set(), {}, None
            ),
        )
        event.kinds.add(row["kind"])
    for iri, span in first_spans(store, values).items():
        if iri in found:
            found[iri].evidence = span
    actors = rows(store, ACTORS.format(events=values))
    names = ld.labels(store, [(r["actor"], ox.NamedNode(r["graph"])) for r in actors])
    for row in actors:
        if row["event"] in found and row["actor"] in names:
            found[row["event"]].actors[row["actor"]] = names[row["actor"]]
    shown = [found[iri] for _, iri in keys if iri in found]
    return with_incidents(store, shown)


def with_incidents(store: Store, events: list[Event]) -> list[Event]:
    """`events` (in the timeline's order) with their incidents. Every event stays listed
    (the page counts reports); an incident is shown with its reports once, at the first
    of its reports on the page, and the later ones there are `folded` into it; `leads`
    says whether that first one is the incident's earliest report."""
    if not events:
        return events
    values = " ".join(f"<{event.iri}>" for event in events)
    incident_of: dict[str, str] = {}
    reports: dict[str, dict[str, Report]] = {}
    for row in rows(store, INCIDENT_REPORTS.format(events=values)):
        incident_of[row["event"]] = row["incident"]
        reports.setdefault(row["incident"], {})[row["report"]] = Report(
            row["report"], row["digest"], row["reported"]
        )
    if not reports:
        return events
    every = " ".join(f"<{iri}>" for found in reports.values() for iri in found)
    own = {row["x"]: row["happened"] for row in rows(store, OWN_DATES.format(items=every))}
    for iri, span in first_spans(store, every).items():
        for found in reports.values():
            if iri in found:
                found[iri].evidence = span

    def key(report: Report) -> Key:
        return (own.get(report.iri, report.reported), report.iri)

    seen: set[str] = set()
    for event in events:
        incident = incident_of.get(event.iri)
        if incident is None:
            continue
        ordered = sorted(reports[incident].values(), key=key)
        event.incident, event.reports = incident, ordered
        event.leads = key(ordered[0])[1] == event.iri  # else not shown here, or below
        event.folded = incident in seen  # its incident is shown with an earlier event
        seen.add(incident)
    return events


def first_spans(store: Store, values: str) -> dict[str, tuple[int, int, str]]:
    """The first evidence span (begin, end, text) of each item of `values` that has one."""
    spans: dict[str, tuple[int, int, str]] = {}
    for row in rows(store, EVIDENCE.format(items=values)):
        span = (int(row["b"]), int(row["e"]), row["anchor"])
        spans[row["x"]] = min(span, spans.get(row["x"], span))
    return spans
