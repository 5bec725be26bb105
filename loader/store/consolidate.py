"""Step 5: incidents. The event reports of every digest, consolidated into the happenings
they report, in a named graph of their own (graph/incidents).

Several digests often report one happening: Afiaddin Mammadov's arrest is reported on
2023-09-22 and again on 2023-10-03. Each report stays a `vox:Event` of its digest (queries
over events keep counting reports); each belongs to exactly one `vox:Incident`, and
`vox:nextInCase` links the incidents of one person's case (arrest, charge, sentence, ...).

The joining rule (`join`): a report joins an incident only if

1. it has the same event class (the vox:Event subclass);
2. it names exactly the same people and organisations as concerned: `vox:affected` and
   `vox:participant` together (the participants, for meetings). A report that names nobody
   ("twelve people were detained") stays an incident of its own, and so does every report
   of a digest that already reports the incident (the mapper gives one happening one event
   per digest, so two events of one digest are two happenings);
3. its dates do not contradict those of the incident's reports: each report allows a range
   of days for the happening, and all the ranges must share a day. A stated `vox:date`
   allows that day, one day either side (sources date a night arrest differently); a
   report without one allows the WINDOW (21 days) before its digest's date, or after it
   for a planned event. 21 days covers the next two or three issues of the series (the
   bundled ones are 4 to 11 days apart) and is shorter than a 30-day administrative
   detention, the commonest term in the digests: the same person arrested again after
   serving one falls outside it and is a second incident.

Reports are taken in the order of their digest's date (then IRI), each joining the first
incident it fits, so the result depends only on the stored digests, not on the order they
were loaded in. An incident is named after its first report (voxgraph.iris.incident_iri):
a later digest reporting it adds a report without renaming it.

Cost: after a batch only the groups (class, named set) that the batch's digests touch are
recomputed, and of those only what the batch can change. Reports are joined in date
order, so before the batch's first day the join stands as stored; from that day on, the
groups' reports are joined again, together with the stored incidents that one of them
could join: an incident takes a report only if all its reports allow one of the days
that report allows, so these are found among the reports of the digests dated within a
WINDOW of those days and the reports stating one of them (`_reached`). All by indexed
look-ups (events by digest, by class and one named actor, by vox:date; old incidents by
`prov:wasDerivedFrom` digest and by report), bounded by the batch and its days, not by
the store, when the batch comes after (or near the end of) the stored digests; a batch
dated among them joins every report of its groups again. A batch touching a large
part of the store, or a store whose incidents graph is missing or from another version
of this module, is consolidated in full (one read of all events).

Either way what is written is a patch: the triples of the subjects it touches, before
and after; their difference goes into one update with the change to the store's
statistics (statistics_update.patch_update), so neither the write nor the statistics read
the rest of the graph. The graph states `owl:versionInfo` only while it agrees with the
digests: the loader removes it before storing a batch and this module writes it back, so
a loader killed in between leaves a store that the next load consolidates in full.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from voxgraph import iris
from voxgraph.iris import VOX
from voxgraph.loader.store import incidents, statistics_update
from voxgraph.loader.store.incidents import (
    CASE_STAGES,
    CONCERN_NAMES,
    DATE_TOLERANCE,
    WINDOW,
    CaseStep,
    Incident,
    Report,
    case_links,
    in_order,
    join,
)
from voxgraph.loader.store.remote_answers import RemoteCut
from voxgraph.paths import ONTOLOGY

ROLES = (VOX.agent, VOX.affected, VOX.participant, VOX.place)
FULL_SHARE = 0.2  # a batch touching this share of the digests or more: consolidate in full
VALUES_CHUNK = 200  # terms per VALUES block (Virtuoso 7.2 plans more than ~300 badly)
DIGEST_CHUNK = 50  # digests per query when reading reports
# Triples per INSERT DATA / DELETE DATA operation: Virtuoso 7.2 refuses one of more than
# ~1,000 (SP031, "generated SQL text has exceeded 10000 lines").
WRITE_CHUNK = 500

GRAPH = iris.INCIDENTS_GRAPH
_G = f"<{GRAPH}>"
_NODE = ox.NamedNode(str(GRAPH))
_EVENT = str(VOX.Event)


@cache
def version() -> str:
    """A checksum of this module, the joining rule and the ontology (class labels make
    incident labels)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(incidents.__file__).read_bytes())
    digest.update(ONTOLOGY.read_bytes())
    return "incidents-" + digest.hexdigest()[:16]


# -- RDF ------------------------------------------------------------------------------


def _iri(value: str | ox.NamedNode) -> str:
    return str(ox.NamedNode(str(value)))


def _day(value: date) -> str:
    return str(ox.Literal(value.isoformat(), datatype=ox.NamedNode(str(XSD.date))))


@cache
def class_labels() -> dict[str, str]:
    from voxgraph.ontology import ontology_graph

    ontology = ontology_graph()
    return {str(s): str(o) for s, o in ontology.subject_objects(RDFS.label)}


def label(incident: Incident, names: dict[str, str]) -> str:
    """A short title: "Arrest of Afiaddin Mammadov, first reported 2023-09-22"."""
    what = class_labels().get(incident.event_class, "event").capitalize()
    people = sorted(names.get(a, a.rsplit("/", 1)[-1]) for a in incident.reports[0].concerns)
    if len(people) > 1:
        people = [", ".join(people[:-1]) + " and " + people[-1]]
    title = f"{what} of {people[0]}" if people else what
    if incident.date is not None:
        return f"{title} on {incident.date.isoformat()}"
    return f"{title}, first reported {min(r.reported for r in incident.reports).isoformat()}"


def incident_triples(incident: Incident, names: dict[str, str]) -> Iterator[str]:
    """The N-Triples lines of one incident (and each report's vox:incident)."""
    node = _iri(incident.iri)
    yield f"{node} {_iri(RDF.type)} {_iri(VOX.Incident)} ."
    title = ox.Literal(label(incident, names), language="en")
    yield f"{node} {_iri(RDFS.label)} {title} ."
    yield f"{node} {_iri(VOX.eventClass)} {_iri(incident.event_class)} ."
    for report in incident.reports:
        yield f"{node} {_iri(VOX.report)} {_iri(report.iri)} ."
        yield f"{_iri(report.iri)} {_iri(VOX.incident)} {node} ."
    for prop in ROLES:
        for actor in sorted(incident.actors(prop)):
            yield f"{node} {_iri(prop)} {_iri(actor)} ."
    if incident.date is not None:
        yield f"{node} {_iri(VOX.date)} {_day(incident.date)} ."
    reported = [r.reported for r in incident.reports]
    yield f"{node} {_iri(VOX.firstReported)} {_day(min(reported))} ."
    yield f"{node} {_iri(VOX.lastReported)} {_day(max(reported))} ."
    for digest in sorted(incident.digests):
        yield f"{node} {_iri(PROV.wasDerivedFrom)} {_iri(digest)} ."


def _link_triple(earlier: str, later: str) -> str:
    return f"{_iri(earlier)} {_iri(VOX.nextInCase)} {_iri(later)} ."


def _marker() -> str:
    return f"{_G} {_iri(OWL.versionInfo)} {ox.Literal(version())} ."


# -- reading the store ------------------------------------------------------------------

_PREFIXES = (
    f"PREFIX vox: <{VOX}>\nPREFIX dcterms: <{DCTERMS}>\nPREFIX prov: <{PROV}>\n"
    f"PREFIX rdfs: <{RDFS}>\nPREFIX owl: <{OWL}>\n"
)


def _chunks(items: Iterable[str], size: int = VALUES_CHUNK) -> Iterator[list[str]]:
    items = sorted(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _values(variable: str, terms: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(_iri(t) for t in terms)} }}"


def _rows(store, query: str) -> list[dict[str, str]]:
    result = store.query(_PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in result]


def read_reports(store, *, digests: Iterable[str] | None = None, events=None) -> list[Report]:
    """The event reports of the given digests (IRIs), or the given events, or all."""
    if digests is None and events is None:
        digests = all_digests(store)
    if digests is not None:
        scopes = [("digest", chunk) for chunk in _chunks(digests, DIGEST_CHUNK)]
    else:
        scopes = [("e", chunk) for chunk in _chunks(events or ())]
    wanted = {str(RDF.type), str(VOX.date), str(VOX.status), *(str(p) for p in ROLES)}
    found: dict[str, dict] = {}
    dates: dict[str, str] = {}
    for variable, chunk in scopes:
        for row in _report_rows(store, variable, chunk):
            entry = found.setdefault(row["e"], {"digest": row["digest"], "classes": set()})
            predicate, value = row["p"], row["o"]
            if predicate not in wanted:
                continue
            if predicate == str(RDF.type):
                entry["classes"].add(value)
            elif predicate == str(VOX.date):
                entry.setdefault("dates", set()).add(value)
            elif predicate == str(VOX.status):
                entry["status"] = value
            else:
                entry.setdefault("roles", set()).add((predicate, value))
    for chunk in _chunks({entry["digest"] for entry in found.values()}):
        query = f"SELECT ?d ?date WHERE {{ {_values('d', chunk)} ?d dcterms:date ?date }}"
        dates |= {row["d"]: row["date"] for row in _rows(store, query)}
    found = {iri: e for iri, e in found.items() if _EVENT in e["classes"] and e["digest"] in dates}
    reports = []
    for iri, entry in found.items():
        specific = sorted(entry["classes"] - {_EVENT})
        stated = sorted(date.fromisoformat(d) for d in entry.get("dates", ()))
        reports.append(
            Report(
                iri,
                specific[0] if specific else _EVENT,
                entry["digest"],
                date.fromisoformat(dates[entry["digest"]]),
                stated[0] if stated else None,
                entry.get("status"),
                frozenset(entry.get("roles", ())),
            )
        )
    return in_order(reports)


def _report_rows(store, variable: str, chunk: list[str]) -> list[dict[str, str]]:
    """Every triple of the events in scope (?digest or ?e in `chunk`), in one index-driven
    query (joins of several patterns, OPTIONALs and property paths cost many times more in
    Oxigraph); asked again in halves while a remote engine cuts it at its row cap."""
    query = f"""SELECT ?e ?digest ?p ?o WHERE {{ {_values(variable, chunk)}
                  ?e vox:reportedIn ?digest . ?e ?p ?o }}"""
    try:
        return _rows(store, query)
    except RemoteCut:  # Virtuoso's 10,000 rows: ~35 digests (README, Beyond one machine)
        if len(chunk) == 1:
            raise
        half = len(chunk) // 2
        return _report_rows(store, variable, chunk[:half]) + _report_rows(
            store, variable, chunk[half:]
        )


def _names(store, actors: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for chunk in _chunks(actors):
        for row in _rows(store, f"SELECT ?a ?l WHERE {{ {_values('a', chunk)} ?a rdfs:label ?l }}"):
            names[row["a"]] = min(row["l"], names.get(row["a"], row["l"]))
    return names


def _stored_incidents(store, where: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Incidents of the incidents graph matching `where` (binding ?inc): their group."""
    found: dict[str, tuple[str, set[str]]] = {}
    for row in _rows(store, f"SELECT DISTINCT ?inc WHERE {{ GRAPH {_G} {{ {where} }} }}"):
        found[row["inc"]] = ("", set())
    for chunk in _chunks(found):
        for prop in ("vox:eventClass", *CONCERN_NAMES):
            query = f"""SELECT ?inc ?o WHERE {{ {_values("inc", chunk)}
                          GRAPH {_G} {{ ?inc {prop} ?o }} }}"""
            for row in _rows(store, query):
                cls, actors = found[row["inc"]]
                if prop == "vox:eventClass":
                    found[row["inc"]] = (row["o"], actors)
                else:
                    actors.add(row["o"])
    return {inc: (cls, frozenset(actors)) for inc, (cls, actors) in found.items()}


def _group_anchors(groups: set[tuple[str, frozenset[str]]]) -> list[str]:
    """One VALUES row (class, one named actor) per group."""
    return sorted(f"({_iri(cls)} {_iri(min(actors))})" for cls, actors in groups)


def _stored_steps(store, people: set[str]) -> list[CaseStep]:
    """The stored case incidents that affect any of `people`."""
    steps: dict[str, dict] = {}
    for chunk in _chunks(people):
        rows = _rows(
            store,
            f"""SELECT ?inc ?class ?person ?digest ?date ?first WHERE {{ {_values("p", chunk)}
                  GRAPH {_G} {{ ?inc vox:affected ?p ; vox:eventClass ?class ;
                    vox:affected ?person ; prov:wasDerivedFrom ?digest ;
                    vox:firstReported ?first . OPTIONAL {{ ?inc vox:date ?date }} }} }}""",
        )
        for row in rows:
            if row["class"] not in CASE_STAGES:
                continue
            entry = steps.setdefault(
                row["inc"],
                {"class": row["class"], "first": row["first"], "people": set(), "digests": set()},
            )
            entry["people"].add(row["person"])
            entry["digests"].add(row["digest"])
            if "date" in row:
                entry["date"] = row["date"]
    return [
        CaseStep(
            inc,
            e["class"],
            frozenset(e["people"]),
            frozenset(e["digests"]),
            date.fromisoformat(e["date"]) if "date" in e else None,
            date.fromisoformat(e["first"]),
        )
        for inc, e in steps.items()
    ]


# -- writing ------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one consolidation did."""

    full: bool
    reports: int = 0  # event reports (re)consolidated
    incidents: int = 0  # incidents written
    removed: int = 0  # stored incidents replaced (incremental) or triples deleted (full)
    links: int = 0  # vox:nextInCase links written
    seconds: float = 0.0
    groups: int = field(default=0)


def is_current(store) -> bool:
    """True if the incidents graph agrees with the stored digests (this version's marker)."""
    return bool(store.query(f"ASK {{ GRAPH {_G} {{ {_marker()[:-2]} }} }}"))


def mark_pending(store) -> None:
    """Say that the digests are about to change: the incidents graph no longer agrees."""
    old = [_triple(q) for q in store.quads_for_pattern(_NODE, ox.NamedNode(str(OWL.versionInfo)))]
    _patch(store, old, [])


def _triple(quad: ox.Quad) -> ox.Triple:
    return ox.Triple(quad.subject, quad.predicate, quad.object)


def _patch(store, old: Iterable[ox.Triple], new: Iterable[ox.Triple]) -> tuple[int, int]:
    """Make the triples `old` of the incidents graph `new`, the rest staying as it is, with
    the store's statistics (loader/store/statistics.py) in the same update: `old` holds every
    triple of the subjects the patch touches. Returns (triples dropped, triples added).

    A store whose update requests are bounded (`update_triples`: a remote engine) takes
    the patch in several requests, each with its statistics, a subject never split between
    two; the graph's own triples (its version marker) go last, so a patch broken off
    leaves the graph pending (is_current false) and the next load consolidates in full."""
    old, new = set(old), set(new)
    dropped, added = old - new, new - old
    if store.update_triples is None or len(dropped) + len(added) <= store.update_triples:
        _patch_request(store, old, new)
        return len(dropped), len(added)
    before, after = _by_subject(old), _by_subject(new)
    for subjects in _subject_parts(dropped | added, store.update_triples):
        _patch_request(
            store,
            {t for s in subjects for t in before.get(s, ())},
            {t for s in subjects for t in after.get(s, ())},
        )
    return len(dropped), len(added)


def _patch_request(store, old: set[ox.Triple], new: set[ox.Triple]) -> None:
    """One update request: DELETE DATA and INSERT DATA of the difference in operations of
    WRITE_CHUNK triples, and the statistics' update."""
    operations = [
        f"{verb} DATA {{ GRAPH {_G} {{\n{chunk}\n}} }}"
        for verb, triples in (("DELETE", old - new), ("INSERT", new - old))
        for chunk in _text_chunks({f"{t} ." for t in triples})
    ]
    counts = statistics_update.patch_update(store, str(GRAPH), old, new)
    if counts:
        operations.append(counts)
    if operations:
        store.update(" ;\n".join(operations))


def _by_subject(triples: set[ox.Triple]) -> dict[object, list[ox.Triple]]:
    grouped: dict[object, list[ox.Triple]] = {}
    for t in triples:
        grouped.setdefault(t.subject, []).append(t)
    return grouped


def _subject_parts(changed: set[ox.Triple], size: int) -> Iterator[list[object]]:
    """The subjects of the changed triples in parts of about `size` changed triples (a
    subject with more stays whole), the graph's own node in the last part."""
    counts: dict[object, int] = {}
    for t in changed:
        counts[t.subject] = counts.get(t.subject, 0) + 1
    ordered = sorted((s for s in counts if s != _NODE), key=str)
    ordered += [_NODE] if _NODE in counts else []
    part: list[object] = []
    taken = 0
    for subject in ordered:
        if part and taken + counts[subject] > size:
            yield part
            part, taken = [], 0
        part.append(subject)
        taken += counts[subject]
    if part:
        yield part


def _parsed(lines: Iterable[str]) -> list[ox.Triple]:
    """N-Triples lines as the store keeps them."""
    return statistics_update.as_stored("\n".join(lines))


def all_digests(store) -> list[str]:
    """The IRIs of the stored digests."""
    return sorted({row["d"] for row in _rows(store, "SELECT ?d WHERE { ?d a vox:Digest }")})


def consolidate(
    store, digests: Iterable[str] | None = None, *, full_share: float | None = None
) -> Outcome:
    """Bring the incidents graph up to date after the digests (IRIs) of a batch changed;
    None, or a batch of at least `full_share` (FULL_SHARE) of the stored digests,
    recomputes it from all digests. Either way the result is the same."""
    started = time.perf_counter()
    touched = sorted({str(d) for d in digests}) if digests is not None else None
    share = FULL_SHARE if full_share is None else full_share
    if touched is not None and len(touched) >= share * max(len(all_digests(store)), 1):
        touched = None
    outcome = _full(store) if touched is None else _incremental(store, touched)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _full(store) -> Outcome:
    reports = read_reports(store)
    incidents = join(reports)
    names = _names(store, {a for r in reports for a in r.concerns})
    links = case_links(i.step() for i in incidents)
    lines = [line for i in incidents for line in incident_triples(i, names)]
    lines += [_link_triple(a, b) for a, b in sorted(links)]
    lines.append(_marker())
    # Only the difference is written: rewriting a graph of ~10 triples per report costs
    # as much as storing a quarter of the digests again; the difference is small after a
    # version change and everything on a new store.
    stored = [_triple(q) for q in store.quads_for_pattern(None, None, None, _NODE)]
    removed, _ = _patch(store, stored, _parsed(lines))
    return Outcome(True, len(reports), len(incidents), removed=removed, links=len(links))


def _text_chunks(lines: set[str], size: int = WRITE_CHUNK) -> Iterator[str]:
    ordered = sorted(lines)
    for start in range(0, len(ordered), size):
        yield "\n".join(ordered[start : start + size])


def _incremental(store, touched: list[str]) -> Outcome:
    dated = _digest_dates(store)
    fresh = read_reports(store, digests=[d for d in touched if d in dated])
    old: set[str] = set()  # the stored incidents to replace
    groups = {r.group for r in fresh if r.concerns}
    for chunk in _chunks(touched):
        where = f"{_values('d', chunk)} ?inc prov:wasDerivedFrom ?d ."
        for inc, group in _stored_incidents(store, where).items():
            old.add(inc)
            if group[1]:
                groups.add(group)
    reports = {r.iri: r for r in fresh if not r.concerns}
    # From `since` on, the reports of the touched groups are joined again; before it, the
    # join is what it was, and the stored incidents' reports before that day tell it.
    since = min(
        [dated[d] for d in touched if d in dated] + _first_reported(store, old), default=None
    )
    if since is not None and groups:
        untouched = [d for d, day in dated.items() if day >= since and d not in touched]
        by_digest = len(untouched) <= FULL_SHARE * len(dated)
        if by_digest:  # after the stored digests: the reports the batch's days reach
            later = [r for r in fresh if r.group in groups] + [
                r for r in _group_reports(store, groups, untouched) if r.digest not in touched
            ]
            reached = _reached(store, since, later, groups, dated)
        else:  # among them: every report of the groups, joined again
            every = [r for r in _group_reports(store, groups) if r.digest not in touched]
            later = [r for r in fresh if r.group in groups]
            later += [r for r in every if r.reported >= since]
            reached = [r for r in every if r.reported < since]
        old |= _incidents_of(store, {r.iri for r in later + reached})
        if by_digest:  # the rest of the reached incidents' reports
            reached = [
                r for r in read_reports(store, events=_reports_of(store, old)) if r.reported < since
            ]
        reports |= {r.iri: r for r in later + reached}
    incidents = join(reports.values())
    people = {a for cls, actors in groups if cls in CASE_STAGES for a in actors}
    people |= {a for i in incidents if i.event_class in CASE_STAGES for a in i.actors(VOX.affected)}
    new_iris = {i.iri for i in incidents}
    steps = [s for s in _stored_steps(store, people) if s.iri not in old and s.iri not in new_iris]
    steps += [i.step() for i in incidents]
    links = case_links(steps, people)
    names = _names(store, {a for r in reports.values() for a in r.concerns})

    # What goes: the old incidents (their triples, and those naming them: their reports'
    # vox:incident, links to them), the case links among `people`, the marker.
    dropped = {_triple(q) for inc in old for q in _about(store, ox.NamedNode(inc))}
    for chunk in _chunks(people):
        query = f"""SELECT ?a ?b WHERE {{ {_values("p", chunk)} GRAPH {_G} {{
                      ?a vox:affected ?p ; vox:nextInCase ?b . ?b vox:affected ?p }} }}"""
        for row in _rows(store, query):
            dropped.add(ox.Triple(ox.NamedNode(row["a"]), _NEXT, ox.NamedNode(row["b"])))
    dropped |= {_triple(q) for q in store.quads_for_pattern(_NODE, None, None, _NODE)}
    # The patch names every triple of each subject it touches (statistics count incidents
    # from all their triples): those kept, and those of the subjects of the new triples.
    added = _parsed(
        [line for i in incidents for line in incident_triples(i, names)]
        + [_link_triple(a, b) for a, b in sorted(links)]
        + [_marker()]
    )
    subjects = {t.subject for t in dropped} | {t.subject for t in added}
    before = {_triple(q) for s in subjects for q in store.quads_for_pattern(s, None, None, _NODE)}
    after = (before - dropped) | set(added)
    removed, _ = _patch(store, before, after)
    return Outcome(False, len(reports), len(incidents), removed, len(links), groups=len(groups))


def _digest_dates(store) -> dict[str, date]:
    """The date of every stored digest, by IRI."""
    rows = _rows(store, "SELECT ?d ?date WHERE { ?d a vox:Digest ; dcterms:date ?date }")
    return {row["d"]: date.fromisoformat(row["date"]) for row in rows}


def _first_reported(store, found: Iterable[str]) -> list[date]:
    """The vox:firstReported of stored incidents (a replaced digest's old reports were
    reported no earlier)."""
    days = []
    for chunk in _chunks(found):
        query = f"""SELECT ?f WHERE {{ {_values("inc", chunk)}
                      GRAPH {_G} {{ ?inc vox:firstReported ?f }} }}"""
        days += [date.fromisoformat(row["f"]) for row in _rows(store, query)]
    return days


def _group_reports(
    store, groups: set[tuple[str, frozenset[str]]], digests: list[str] | None = None
) -> list[Report]:
    """The reports of `groups`, of the given digests or of all, found by class and one named
    actor of each group."""
    anchors = _group_anchors(groups)
    scopes = (
        [""]
        if digests is None
        else [
            f"{_values('d', chunk)} ?e vox:reportedIn ?d ."
            for chunk in _chunks(digests, DIGEST_CHUNK)
        ]
    )
    events: set[str] = set()
    for start in range(0, len(anchors), VALUES_CHUNK):
        rows = " ".join(anchors[start : start + VALUES_CHUNK])
        for scope in scopes:
            for prop in CONCERN_NAMES:
                query = f"""SELECT DISTINCT ?e WHERE {{ VALUES (?class ?anchor) {{ {rows} }}
                              {scope} ?e {prop} ?anchor . ?e a ?class }}"""
                events |= {row["e"] for row in _rows(store, query)}
    return [r for r in read_reports(store, events=events) if r.group in groups]


def _reached(
    store,
    since: date,
    later: list[Report],
    groups: set[tuple[str, frozenset[str]]],
    dated: dict[str, date],
) -> list[Report]:
    """The reports of `groups` before `since` whose incidents a report of `later` (every
    report of `groups` from `since` on) could join.

    An incident takes a report only if every one of its reports allows a day that report
    allows (`Incident.accepts`). A report allows its stated day (± DATE_TOLERANCE) or the
    WINDOW before (after, if planned) its digest's date; so only the reports of digests
    dated within a WINDOW of a day that `later` allows, or stating such a day, can belong
    to such an incident: looked up by digest and by vox:date, bounded by those days, not by
    the store. The other incidents of the groups stay as they are.
    """
    allowed: set[date] = set()
    for report in later:
        first, last = report.days()
        allowed |= {first + timedelta(days=n) for n in range((last - first).days + 1)}
    reach = _around(allowed, WINDOW)
    candidates = _group_reports(store, groups, [d for d, day in dated.items() if day in reach])
    events: set[str] = set()
    for chunk in _chunks(_day(day) for day in _around(allowed, DATE_TOLERANCE)):
        query = (
            f"SELECT DISTINCT ?e WHERE {{ VALUES ?day {{ {' '.join(chunk)} }} ?e vox:date ?day }}"
        )
        events |= {row["e"] for row in _rows(store, query)}
    candidates += [r for r in read_reports(store, events=events) if r.group in groups]
    return [r for r in candidates if r.reported < since and _meets(r, allowed)]


def _incidents_of(store, reports: set[str]) -> set[str]:
    """The stored incidents of the given event reports."""
    return _linked(store, reports, "e", "?e vox:incident ?x")


def _reports_of(store, found: set[str]) -> set[str]:
    """The event reports of the given stored incidents."""
    return _linked(store, found, "inc", "?inc vox:report ?x")


def _linked(store, terms: set[str], name: str, pattern: str) -> set[str]:
    """Every ?x of `pattern` in the incidents graph, ?`name` one of `terms`."""
    linked: set[str] = set()
    for chunk in _chunks(terms):
        query = f"SELECT DISTINCT ?x WHERE {{ {_values(name, chunk)} GRAPH {_G} {{ {pattern} }} }}"
        linked |= {row["x"] for row in _rows(store, query)}
    return linked


def _around(days: set[date], reach: timedelta) -> set[date]:
    """Every day within `reach` of one of `days`."""
    steps = [timedelta(days=n) for n in range(-reach.days, reach.days + 1)]
    return {day + step for day in days for step in steps}


def _meets(report: Report, days: set[date]) -> bool:
    first, last = report.days()
    return any(first + timedelta(days=n) in days for n in range((last - first).days + 1))


_NEXT = ox.NamedNode(str(VOX.nextInCase))


def _about(store, incident: ox.NamedNode) -> Iterator[ox.Quad]:
    """The quads of the incidents graph with `incident` as subject or object."""
    yield from store.quads_for_pattern(incident, None, None, _NODE)
    yield from (
        q for q in store.quads_for_pattern(None, None, incident, _NODE) if q.object == incident
    )
