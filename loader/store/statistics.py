"""The store's statistics, kept up to date by the writer in a graph of their own.

The server must answer VoID's counts and page through the timeline without
reading the whole store, so the numbers are kept where the data is written:
each `replace_graph` / `remove_graph` of a store that has statistics reads the
graph it replaces, works out what changes, and rewrites the statistics in the
same SPARQL Update as the data (one transaction: a crash or a snapshot never
separates them). The work is bounded by the graph replaced, not by the store:

- the old graph's quads (one digest: ~600);
- for each triple, subject, object and predicate that the graph adds or drops,
  whether some other graph holds it too (FILTER EXISTS, which stops at the
  first quad found outside the graph: at worst it reads that graph's own quads);
- the events of the old and the new graph, by day and by kind.

`voxgraph load` starts the statistics of a store that has none (counting the
whole store once: `recount`, also for a store written by an older version);
from then on every write keeps them. A store written only through
`replace_graph` without them (the tests' small sample stores) has none, and
the pages that need them say so.

The graph https://w3id.org/voxgraph/graph/statistics holds one triple per record,
`<record> rdf:value "{...}"^^rdf:JSON`:

- `<graph/statistics>`: the counts over the data graphs (every named graph but
  this one), each triple counted once however many graphs state it, as VoID
  defines them; instances per class; the number of events and of incidents per
  month and kind; a fingerprint of the data (the sum, mod 2^128, of a hash of
  each quad: the same quads give the same fingerprint, however and in whatever
  order they were written, and a write changes it by the quads it adds and
  drops, without reading the rest of the graph);
- `<graph/statistics#events-2030-01>`: the number of events per day and kind in
  that month, and `<graph/statistics#incidents-2030-01>` the same of incidents
  (the timeline's index: which days hold the next 100 incidents, and its chart).

An event's day is its `vox:date`, or else the `dcterms:date` of the digest that
reports it; its kinds are its vox: classes but vox:Event. An incident's day is its
`vox:date`, or else its `vox:firstReported`; its kind, its `vox:eventClass`.

A graph rewritten in place by SPARQL Update (the incidents graph, which
loader/consolidate.py patches after each batch) is kept by `patch_update`, from
the triples of the subjects it rewrites only: its cost follows the patch, not the
graph. A record of another FORMAT is no record: the loader counts afresh.

The records are JSON rather than one triple per number so that their own
triples are easy to count: each record's subject and literal occur nowhere
else, so the statistics graph adds exactly one triple, one subject and one
object per record, and one property (rdf:value) unless the data uses it too.
`Statistics.void` adds them, so VoID's counts are those of the whole store,
statistics included, as a SPARQL count over the endpoint would find them.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from voxgraph.iris import GRAPH, ID, PREFIXES, VOX

STATISTICS_GRAPH = str(GRAPH["statistics"])
MONTH_RECORD = STATISTICS_GRAPH + "#events-"  # + "2030-01"
INCIDENT_RECORD = STATISTICS_GRAPH + "#incidents-"  # + "2030-01"
FORMAT = 2  # of the main record: 2 has incidents and sums a hash per quad
SERIES = (("events", MONTH_RECORD), ("incidents", INCIDENT_RECORD))  # name, month records
RDF_TYPE = PREFIXES["rdf"] + "type"
RDF_VALUE = PREFIXES["rdf"] + "value"
RDF_JSON = PREFIXES["rdf"] + "JSON"
XSD_DATE = PREFIXES["xsd"] + "date"
DCTERMS_DATE = PREFIXES["dcterms"] + "date"
EVENT = str(VOX.Event)
INCIDENT = str(VOX.Incident)
EVENT_DATE = str(VOX.date)
EVENT_CLASS = str(VOX.eventClass)
FIRST_REPORTED = str(VOX.firstReported)
REPORTED_IN = str(VOX.reportedIn)
ALL_KINDS = ""  # the key of every kind together in the event counts
FINGERPRINT_MODULUS = 2**128
VALUES_CHUNK = 400  # terms per FILTER EXISTS query
POSITIONS = (("subject", "subjects"), ("object", "objects"), ("predicate", "properties"))

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class ReadableStore(Protocol):
    """What the statistics need of a store (GraphStore and RemoteStore both offer it)."""

    def select(self, sparql: str) -> ox.QuerySolutions: ...

    def quads_for_pattern(
        self, subject=None, predicate=None, object=None, graph_name=None, *, limit=None
    ) -> Iterable[ox.Quad]: ...


@dataclass
class Statistics:
    """The counts of the data graphs (every named graph but the statistics')."""

    triples: int = 0  # distinct (s, p, o) over all data graphs
    entities: int = 0  # distinct subjects that are IRIs under https://w3id.org/voxgraph/id/
    subjects: int = 0
    objects: int = 0
    properties: int = 0
    classes: dict[str, int] = field(default_factory=dict)  # class IRI -> distinct instances
    events: dict[str, dict[str, int]] = field(default_factory=dict)  # month -> kind -> events
    incidents: dict[str, dict[str, int]] = field(default_factory=dict)  # the same of incidents
    fingerprint: int = 0
    value_used: bool = False  # whether the data graphs use rdf:value themselves

    @property
    def records(self) -> int:
        """Triples in the statistics graph: this record and one per month with events,
        and one per month with incidents."""
        return 1 + len(self.events) + len(self.incidents)

    def void(self) -> dict[str, int]:
        """VoID's counts over the whole store, the statistics graph's own triples included."""
        own = self.records
        return {
            "triples": self.triples + own,
            "entities": self.entities,
            "distinctSubjects": self.subjects + own,
            "distinctObjects": self.objects + own,
            "properties": self.properties + (0 if self.value_used else 1),
        }

    def event_total(self, kind: str = ALL_KINDS) -> int:
        return sum(month.get(kind, 0) for month in self.events.values())

    def event_kinds(self) -> list[str]:
        return sorted({kind for month in self.events.values() for kind in month} - {ALL_KINDS})

    def incident_total(self, kind: str = ALL_KINDS) -> int:
        return sum(month.get(kind, 0) for month in self.incidents.values())

    def incident_kinds(self) -> list[str]:
        return sorted({kind for month in self.incidents.values() for kind in month} - {ALL_KINDS})

    def series(self, name: str) -> dict[str, dict[str, int]]:
        """ "events" or "incidents": month -> kind -> count."""
        return self.events if name == "events" else self.incidents

    @property
    def version(self) -> str:
        """Changes whenever the data does (a cache key for what is computed from it)."""
        return f"{self.fingerprint:032x}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "triples": self.triples,
                "entities": self.entities,
                "subjects": self.subjects,
                "objects": self.objects,
                "properties": self.properties,
                "classes": dict(sorted(self.classes.items())),
                "events": {m: dict(sorted(k.items())) for m, k in sorted(self.events.items())},
                "incidents": {
                    m: dict(sorted(k.items())) for m, k in sorted(self.incidents.items())
                },
                "fingerprint": self.version,
                "valueUsed": self.value_used,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Statistics | None:
        """The record `text`; None if it is of another FORMAT (an older version's)."""
        data = json.loads(text)
        if data.get("format") != FORMAT:
            return None
        return cls(
            triples=data["triples"],
            entities=data["entities"],
            subjects=data["subjects"],
            objects=data["objects"],
            properties=data["properties"],
            classes=data["classes"],
            events=data["events"],
            incidents=data["incidents"],
            fingerprint=int(data["fingerprint"], 16),
            value_used=data["valueUsed"],
        )


# -- reading -------------------------------------------------------------------------------


def read(store: ReadableStore) -> Statistics | None:
    """The store's statistics, or None if it keeps none."""
    text = _record(store, STATISTICS_GRAPH)
    return None if text is None else Statistics.from_json(text)


def event_days(store: ReadableStore, month: str) -> dict[str, dict[str, int]]:
    """Events per day ("2030-01-05") and kind in `month` ("2030-01"); {} if none."""
    return month_days(store, "events", month)


def incident_days(store: ReadableStore, month: str) -> dict[str, dict[str, int]]:
    """Incidents per day ("2030-01-05") and kind in `month` ("2030-01"); {} if none."""
    return month_days(store, "incidents", month)


def month_days(store: ReadableStore, series: str, month: str) -> dict[str, dict[str, int]]:
    text = _record(store, dict(SERIES)[series] + month)
    if text is None:
        return {}
    days = json.loads(text)
    return days if series == "events" else days[series]


def record(store: ReadableStore) -> str | None:
    """The main record's text as stored (None: the store keeps no statistics)."""
    return _record(store, STATISTICS_GRAPH)


def _record(store: ReadableStore, subject: str) -> str | None:
    for quad in store.quads_for_pattern(
        ox.NamedNode(subject),
        ox.NamedNode(RDF_VALUE),
        None,
        ox.NamedNode(STATISTICS_GRAPH),
        limit=1,
    ):
        return None if isinstance(quad.object, ox.Triple) else quad.object.value
    return None


# -- what one graph holds ------------------------------------------------------------------


def by_day(triples: Iterable[ox.Triple]) -> dict[str, Counter[tuple[str, str]]]:
    """(day, kind) -> events, and -> incidents, among `triples` (one graph's, or all the
    triples of some of its subjects), ALL_KINDS for every kind.

    An event is a resource typed vox:Event and some other vox: class, reported in
    a digest whose date the same triples give; its day is its own vox:date (the
    earliest, should it have several) or else that digest's date. An incident is a
    resource typed vox:Incident with a vox:eventClass; its day is its vox:date, or
    else its vox:firstReported.
    """
    types: dict[Term, set[str]] = defaultdict(set)
    own_dates: dict[Term, list[str]] = defaultdict(list)
    reported: dict[Term, list[Term]] = defaultdict(list)
    published: dict[Term, list[str]] = defaultdict(list)
    classes: dict[Term, set[str]] = defaultdict(set)
    first: dict[Term, list[str]] = defaultdict(list)
    for t in triples:
        if isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple):
            continue  # an RDF-star statement: voxgraph writes none
        predicate = t.predicate.value
        if predicate == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            types[t.subject].add(t.object.value)
        elif predicate == EVENT_DATE:
            own_dates[t.subject].append(t.object.value)
        elif predicate == REPORTED_IN:
            reported[t.subject].append(t.object)
        elif predicate == DCTERMS_DATE:
            published[t.subject].append(t.object.value)
        elif predicate == EVENT_CLASS:
            classes[t.subject].add(t.object.value)
        elif predicate == FIRST_REPORTED:
            first[t.subject].append(t.object.value)
    counts: dict[str, Counter[tuple[str, str]]] = {name: Counter() for name, _ in SERIES}
    for node, typed in types.items():
        if EVENT in typed:
            kinds = {_kind(c) for c in typed if c.startswith(str(VOX)) and c != EVENT}
            dates = [day for digest in reported[node] for day in published[digest]]
            series = "events"
        elif INCIDENT in typed:
            kinds = {_kind(c) for c in classes[node]}
            dates, series = first[node], "incidents"
        else:
            continue
        if not kinds or not dates:
            continue
        day = min(own_dates[node]) if own_dates[node] else min(dates)
        counts[series][(day, ALL_KINDS)] += 1
        for kind in kinds:
            counts[series][(day, kind)] += 1
    return counts


def _kind(iri: str) -> str:
    return iri.removeprefix(str(VOX))


def graph_hash(graph: str, triples: Iterable[ox.Triple]) -> int:
    """The sum, mod 2^128, of a 128-bit hash of each quad of `graph` (blank nodes all
    alike: their labels are the store's); 0 for no triples. The fingerprint is the sum
    of these over all graphs: a write changes it by the quads it adds and drops."""
    total = 0
    for t in set(triples):
        line = graph + " " + " ".join("_:" if isinstance(x, ox.BlankNode) else str(x) for x in t)
        total += int.from_bytes(hashlib.blake2b(line.encode(), digest_size=16).digest(), "big")
    return total % FINGERPRINT_MODULUS


# -- keeping them: one graph replaced or patched ---------------------------------------------


@dataclass(frozen=True)
class Change:
    """What one replacement does to the statistics, as SPARQL Update.

    `operations` rewrite the records, each only while `guard` holds (the main record
    is still what was read: no other writer came between) and the caller's condition;
    a writer that may not be alone puts `guard` in its own operations too, runs them
    and `operations` in one request, and reads the main record afterwards: `record`
    means it went through, anything else that it should compute the change again.
    """

    guard: str
    operations: str
    record: str


def replacement_update(store: ReadableStore, graph: str, ntriples: str) -> str:
    """The SPARQL Update operations that bring the statistics up to date when `graph`'s
    triples become those of `ntriples` (N-Triples text; "" when the graph is removed).
    Returns "" if the store keeps no statistics or nothing changes.

    To run in the same update as the replacement, after it, and computed before it,
    by a writer that is alone (the embedded store: RocksDB locks it to one process).
    """
    change = replacement(store, graph, ntriples)
    return change.operations if change is not None else ""


def patch_update(
    store: ReadableStore, graph: str, old: Iterable[ox.Triple], new: Iterable[ox.Triple]
) -> str:
    """The SPARQL Update operations that bring the statistics up to date when the triples
    `old` of `graph` become `new`, the rest of the graph staying as it is: a graph
    patched in place (loader/consolidate.py's incidents). `old` must hold every triple of
    the graph whose subject the patch touches (so an incident is counted from all its
    triples), as stored. To be computed before the patch and run in the same update,
    after it. Returns "" if the store keeps no statistics or nothing changes."""
    change = replacement(store, graph, "", old=list(old), new=list(new))
    return change.operations if change is not None else ""


def replacement(
    store: ReadableStore,
    graph: str,
    ntriples: str,
    condition: str = "",
    *,
    old: list[ox.Triple] | None = None,
    new: list[ox.Triple] | None = None,
) -> Change | None:
    """The Change when `graph`'s triples become those of `ntriples`, computed before the
    write; None if the store keeps no statistics or nothing changes. `condition` (a
    SPARQL filter) goes into the WHERE of every operation. `old` and `new`, when given,
    are the triples of the subjects a patch rewrites, before and after (`patch_update`)."""
    text = _record(store, STATISTICS_GRAPH)
    current = None if text is None else Statistics.from_json(text)
    if current is None or graph == STATISTICS_GRAPH:
        return None
    name = ox.NamedNode(graph)
    whole = old is None
    if new is None:
        new = as_stored(ntriples)
    if old is None:
        old = [
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, name)
        ]
    old_set, new_set = set(old), set(new)
    has_blank = any(_blank(t) for t in old_set | new_set)
    if old_set == new_set and not has_blank:
        return None
    updated = copy.deepcopy(current)
    added, removed = new_set - old_set, old_set - new_set
    if not whole:  # a patch may rewrite a triple the graph holds outside `old`
        added -= _held_elsewhere(store, "", "triple", list(added), only=graph)
    touched = added | removed

    # Which subjects, objects and predicates come or go: a term comes if no data graph
    # held it and it is added; it goes if the graph's only holdings of it are removed
    # and no other data graph holds it (which stops at the first quad found there).
    held: dict[str, set] = {}
    for position, attribute in POSITIONS:
        going = Counter(getattr(t, position) for t in removed)
        coming = Counter(getattr(t, position) for t in added)
        asked = set(going) | set(coming)
        if position == "predicate":
            asked.add(ox.NamedNode(RDF_VALUE))
        held[position] = _held_elsewhere(
            store, graph, position, [x for x in asked if not isinstance(x, ox.BlankNode)]
        )
        for term in asked:
            if term in held[position]:
                continue
            if isinstance(term, ox.BlankNode):  # labels are the store's: count in `old`
                kept = sum(1 for t in old_set if getattr(t, position) == term)
            else:
                kept = _count_in(store, name, position, term, going[term] + 1)
            before = kept > 0
            after = kept - going[term] > 0 or coming[term] > 0
            if position == "predicate" and term == ox.NamedNode(RDF_VALUE):
                updated.value_used = after
            elif before != after:
                sign = 1 if after else -1
                setattr(updated, attribute, getattr(updated, attribute) + sign)
                if position == "subject" and _entity(term):
                    updated.entities += sign
        if position == "predicate" and ox.NamedNode(RDF_VALUE) in held[position]:
            updated.value_used = True

    # Distinct triples, and instances per class.
    maybe = [t for t in touched if t.subject in held["subject"] and t.object in held["object"]]
    held_triples = _held_elsewhere(store, graph, "triple", maybe)
    for triples, sign in ((added, 1), (removed, -1)):
        for t in triples:
            if t in held_triples:
                continue
            updated.triples += sign
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                count = updated.classes.get(t.object.value, 0) + sign
                if count:
                    updated.classes[t.object.value] = count
                else:
                    updated.classes.pop(t.object.value, None)

    # Events and incidents per day and kind.
    after_days, before_days = by_day(new_set), by_day(old_set)
    replaced, new_records = [], []
    for series, prefix in SERIES:
        change = after_days[series]
        change.subtract(before_days[series])
        by_month: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        for (day, kind), count in change.items():
            if count:
                by_month[day[:7]][(day, kind)] += count
        months = updated.series(series)
        for month, counts in sorted(by_month.items()):
            days = month_days(store, series, month)
            replaced.append(prefix + month)
            totals = Counter(months.get(month, {}))
            for (day, kind), count in counts.items():
                kinds = days.setdefault(day, {})
                kinds[kind] = kinds.get(kind, 0) + count
                totals[kind] += count
                if not kinds[kind]:
                    del kinds[kind]
                if not kinds:
                    del days[day]
            totals = Counter({kind: n for kind, n in totals.items() if n})
            if days:
                new_records.append((prefix + month, _compact(days, series)))
                months[month] = dict(sorted(totals.items()))
            else:
                months.pop(month, None)
    updated.events = dict(sorted(updated.events.items()))
    updated.incidents = dict(sorted(updated.incidents.items()))

    # The fingerprint: the quads dropped out, the quads added in.
    total = updated.fingerprint - graph_hash(graph, removed) + graph_hash(graph, added)
    updated.fingerprint = total % FINGERPRINT_MODULUS

    record = updated.to_json()
    guard = (
        f"FILTER EXISTS {{ GRAPH <{STATISTICS_GRAPH}> "
        f"{{ {_record_triple(STATISTICS_GRAPH, text)} }} }}"
    )
    written = dict(new_records)
    operations = [  # the month records first: the last one changes what `guard` checks
        _rewrite(subject, written.get(subject), f"{guard} {condition}") for subject in replaced
    ]
    operations.append(_rewrite(STATISTICS_GRAPH, record, f"{guard} {condition}"))
    return Change(guard, " ;\n".join(operations), record)


def _count_in(store: ReadableStore, graph: ox.NamedNode, position: str, term, limit: int) -> int:
    """How many triples of `graph` have `term` in `position`, counting up to `limit`.

    The quads are checked: pyoxigraph 0.5's on-disk store answers some patterns with an
    integer literal as object with quads whose object is another integer."""
    pattern: list = [None, None, None]
    pattern[("subject", "predicate", "object").index(position)] = term
    found = 0
    for quad in store.quads_for_pattern(*pattern, graph):
        if getattr(quad, position) == term:
            found += 1
            if found >= limit:
                break
    return found


def as_stored(ntriples: str) -> list[ox.Triple]:
    """The triples of `ntriples` as Oxigraph will store them: it normalises some literals
    (an xsd:nonNegativeInteger comes back an xsd:integer), so they are read back from an
    in-memory store rather than taken as parsed."""
    if not ntriples:
        return []
    scratch = ox.Store()
    scratch.load(ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return [ox.Triple(q.subject, q.predicate, q.object) for q in scratch]


def _rewrite(subject: str, text: str | None, condition: str) -> str:
    """One operation: record `subject` becomes `text` (None: goes), if `condition`."""
    where = f"GRAPH <{STATISTICS_GRAPH}> {{ <{subject}> <{RDF_VALUE}> ?value }}"
    insert = (
        f"INSERT {{ GRAPH <{STATISTICS_GRAPH}> {{ {_record_triple(subject, text)} }} }}\n"
        if text is not None
        else ""
    )
    return f"DELETE {{ {where} }}\n{insert}WHERE {{ OPTIONAL {{ {where} }} {condition} }}"


def _compact(days: dict[str, dict[str, int]], series: str) -> str:
    """A month record's text. An incidents record is wrapped ({"incidents": days}) so that
    its literal is never that of the events record of the month (where no two reports
    of the month are one incident, the counts are the same): each record's literal must
    occur nowhere else, or VoID's counts would be off."""
    data = days if series == "events" else {series: days}
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def _record_triple(subject: str, text: str) -> str:
    literal = ox.Literal(text, datatype=ox.NamedNode(RDF_JSON))
    return f"<{subject}> <{RDF_VALUE}> {literal}"


def _held_elsewhere(
    store: ReadableStore, graph: str, position: str, items: list, *, only: str = ""
) -> set:
    """Those of `items` (triples, or terms in `position`) that some data graph other
    than `graph` holds (or graph `only`, if given). Each check stops at the first quad
    found there."""
    found: set = set()
    outside = f"FILTER(?g != <{graph}> && ?g != <{STATISTICS_GRAPH}>)"
    if only:
        outside = f"FILTER(?g = <{only}>)"
    for start in range(0, len(items), VALUES_CHUNK):
        chunk = items[start : start + VALUES_CHUNK]
        if position == "triple":
            rows = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in chunk)
            query = (
                f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} "
                f"FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} {outside} }} }}"
            )
            found |= {ox.Triple(r["s"], r["p"], r["o"]) for r in store.select(query)}
        else:
            variable = {"subject": "?x ?p ?o", "predicate": "?s ?x ?o", "object": "?s ?p ?x"}[
                position
            ]
            values = " ".join(str(term) for term in chunk)
            query = (
                f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} "
                f"FILTER EXISTS {{ GRAPH ?g {{ {variable} }} {outside} }} }}"
            )
            found |= {r["x"] for r in store.select(query)}
    return found


def _blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _entity(term: Term) -> bool:
    return isinstance(term, ox.NamedNode) and term.value.startswith(str(ID))


# -- counting them from scratch ------------------------------------------------------------


DISTINCT_COUNTS = f"""
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?entity) AS ?entities)
WHERE {{
  {{ SELECT DISTINCT ?s ?p ?o {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{STATISTICS_GRAPH}>) }} }}
  BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{ID}"), ?s, ?none) AS ?entity)
}}"""
CLASS_COUNTS = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?class }} FILTER(?g != <{STATISTICS_GRAPH}> && isIRI(?class))
}} GROUP BY ?class"""
VALUE_USED = f"""
SELECT ?s WHERE {{ GRAPH ?g {{ ?s <{RDF_VALUE}> ?o }} FILTER(?g != <{STATISTICS_GRAPH}>) }}
LIMIT 1"""


def count(
    store: ReadableStore, graphs: Iterable[str]
) -> tuple[Statistics, dict[str, dict[str, dict]]]:
    """The statistics of the whole store, counted from scratch (reads every quad once),
    and the month records of each series ("events", "incidents": month -> day -> kind
    -> count). `graphs`: the store's named graphs."""
    (row,) = list(store.query(DISTINCT_COUNTS))
    stats = Statistics(
        triples=int(row["triples"].value),
        entities=int(row["entities"].value),
        subjects=int(row["subjects"].value),
        objects=int(row["objects"].value),
        properties=int(row["properties"].value),
        classes={r["class"].value: int(r["n"].value) for r in store.select(CLASS_COUNTS)},
        value_used=bool(list(store.select(VALUE_USED))),
    )
    days: dict[str, dict[str, dict[str, dict[str, int]]]] = {
        series: defaultdict(dict) for series, _ in SERIES
    }
    total = 0
    for graph in graphs:
        if graph == STATISTICS_GRAPH:
            continue
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        total += graph_hash(graph, triples)
        for series, counts in by_day(triples).items():
            for (day, kind), n in counts.items():
                kinds = days[series][day[:7]].setdefault(day, {})
                kinds[kind] = kinds.get(kind, 0) + n
    stats.fingerprint = total % FINGERPRINT_MODULUS
    for series, _ in SERIES:
        for month, found in sorted(days[series].items()):
            totals: Counter[str] = Counter()
            for kinds in found.values():
                totals.update(kinds)
            stats.series(series)[month] = dict(sorted(totals.items()))
    return stats, {series: dict(months) for series, months in days.items()}


def recount_update(store: ReadableStore, graphs: Iterable[str]) -> str:
    """The SPARQL Update that replaces the statistics graph by a fresh count."""
    stats, days = count(store, graphs)
    records = [(STATISTICS_GRAPH, stats.to_json())] + [
        (prefix + month, _compact(found, series))
        for series, prefix in SERIES
        for month, found in sorted(days[series].items())
    ]
    lines = "\n".join(f"{_record_triple(subject, text)} ." for subject, text in records)
    return (
        f"DROP SILENT GRAPH <{STATISTICS_GRAPH}> ;\n"
        f"INSERT DATA {{ GRAPH <{STATISTICS_GRAPH}> {{\n{lines}\n}} }}"
    )
