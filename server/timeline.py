"""The timeline at /timeline: every event by date, filterable by type and actor.

An event without a date of its own (the text gave none) is placed at the date of
the digest that reported it, and marked so. Whether it has one is read from the row
(?happened bound or not), not asked of BOUND(): Virtuoso 7.2 answers BOUND() with 1
or 0, not true or false. Server-rendered: works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template, request

from server import linked_data as ld
from server.resources import rows

bp = Blueprint("timeline", __name__)

EVENTS = """
SELECT ?event ?kind ?date ?happened ?digest ?b ?e ?anchor ?actor ?name WHERE {
  ?event a vox:Event , ?class ; vox:reportedIn ?digest .
  FILTER(?class != vox:Event && STRSTARTS(STR(?class), STR(vox:)))
  BIND(STRAFTER(STR(?class), "#") AS ?kind)
  ?digest dcterms:date ?reported .
  OPTIONAL { ?event vox:date ?happened }
  BIND(STR(COALESCE(?happened, ?reported)) AS ?date)
  OPTIONAL {
    ?event vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor
  }
  OPTIONAL { ?event vox:agent|vox:affected|vox:participant ?actor . ?actor rdfs:label ?name }
}
"""


@dataclass
class Event:
    iri: str
    date: str
    dated: bool  # False: the digest's date, the text gave none
    digest: str
    kinds: set[str]
    actors: dict[str, str]  # IRI -> label
    evidence: tuple[int, int, str] | None

    @property
    def anchor(self) -> str:
        page = ld.local_href(self.digest) or ""
        return f"{page}#char={self.evidence[0]},{self.evidence[1]}" if self.evidence else page


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
    """Every event, oldest first; its first evidence span, all its kinds and actors."""
    found: dict[str, Event] = {}
    for row in rows(current_app.config["VOXGRAPH_STORE"], EVENTS):
        event = found.setdefault(
            row["event"],
            Event(
                row["event"], row["date"], "happened" in row, row["digest"], set(), {}, None
            ),
        )
        event.kinds.add(row["kind"])
        if "actor" in row:
            event.actors[row["actor"]] = row["name"]
        if "b" in row:
            span = (int(row["b"]), int(row["e"]), row["anchor"])
            event.evidence = min(span, event.evidence or span)
    return sorted(found.values(), key=lambda event: (event.date, event.iri))
