"""The timeline at /timeline: every incident by date, filterable by type and actor.

An incident (loader/consolidate.py) is one happening with the reports of every digest
that reports it: it is listed once, "reported in N digests", with each report's
sentence. An incident whose reports give no date of its own is placed at the date of
its first report, and marked so. An event that belongs to no incident (a store
consolidated by no loader) is listed on its own. Server-rendered: works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request

from server import linked_data as ld
from server.resources import rows

bp = Blueprint("timeline", __name__)

EVENTS = """
SELECT ?event ?incident ?kind ?date ?dated ?digest ?reported ?b ?e ?anchor ?actor ?name WHERE {
  ?event a vox:Event , ?class ; vox:reportedIn ?digest .
  OPTIONAL { ?event vox:incident ?incident }
  FILTER(?class != vox:Event && STRSTARTS(STR(?class), STR(vox:)))
  BIND(STRAFTER(STR(?class), "#") AS ?kind)
  ?digest dcterms:date ?reported .
  OPTIONAL { ?event vox:date ?happened }
  BIND(STR(COALESCE(?happened, ?reported)) AS ?date)
  BIND(BOUND(?happened) AS ?dated)
  OPTIONAL {
    ?event vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor
  }
  OPTIONAL { ?event vox:agent|vox:affected|vox:participant ?actor . ?actor rdfs:label ?name }
}
"""


@dataclass
class Report:
    """One digest's report of an incident: its sentence."""

    iri: str
    digest: str
    reported: str
    evidence: tuple[int, int, str] | None

    @property
    def anchor(self) -> str:
        page = ld.local_href(self.digest) or ""
        return f"{page}#char={self.evidence[0]},{self.evidence[1]}" if self.evidence else page


@dataclass
class Event:
    """An incident (or an event of no incident) as the timeline lists it."""

    iri: str
    date: str
    dated: bool  # False: the date of its first report, the text gave none
    kinds: set[str]
    actors: dict[str, str]  # IRI -> label
    reports: dict[str, Report]  # event IRI -> report

    @property
    def digests(self) -> int:
        return len({report.digest for report in self.reports.values()})

    @property
    def ordered_reports(self) -> list[Report]:
        return sorted(self.reports.values(), key=lambda r: (r.reported, r.iri))


@bp.route("/timeline")
def timeline() -> str:
    events = all_events()
    kinds = sorted({kind for event in events for kind in event.kinds})
    actors = sorted(
        {(name, iri) for event in events for iri, name in event.actors.items()},
        key=lambda pair: pair[0].lower(),
    )
    kind, actor = request.args.get("type", ""), request.args.get("actor", "")
    shown = [
        event
        for event in events
        if (not kind or kind in event.kinds) and (not actor or actor in event.actors)
    ]
    return render_template(
        "timeline.html",
        events=shown,
        total=len(events),
        kinds=kinds,
        actors=actors,
        kind=kind,
        actor=actor,
    )


def all_events() -> list[Event]:
    """Every incident, oldest first, with its kinds, actors and each report's first span."""
    found: dict[str, Event] = {}
    for row in rows(current_app.config["VOXGRAPH_STORE"], EVENTS):
        key = row.get("incident", row["event"])
        event = found.setdefault(key, Event(key, row["date"], False, set(), {}, {}))
        dated = row["dated"] == "true"
        # A day a report states wins over a digest's date; among equals, the earliest.
        if (not dated, row["date"]) < (not event.dated, event.date):
            event.date, event.dated = row["date"], dated
        event.kinds.add(row["kind"])
        if "actor" in row:
            event.actors[row["actor"]] = row["name"]
        report = event.reports.setdefault(
            row["event"], Report(row["event"], row["digest"], row["reported"], None)
        )
        if "b" in row:
            span = (int(row["b"]), int(row["e"]), row["anchor"])
            report.evidence = min(span, report.evidence or span)
    return sorted(found.values(), key=lambda event: (event.date, event.iri))
