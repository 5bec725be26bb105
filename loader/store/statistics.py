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
  defines them; instances per class; the number of events per month and kind;
  a fingerprint of the data (the sum, mod 2^128, of a hash of each graph's
  triples: the same quads give the same fingerprint, however and in whatever
  order they were written);
- `<graph/statistics#events-2030-01>`: the number of events per day and kind in
  that month (the timeline's index: which days hold the next 100 events).

An event's day is its `vox:date`, or else the `dcterms:date` of the digest that
reports it; its kinds are its vox: classes but vox:Event (the timeline's).

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
RDF_TYPE = PREFIXES["rdf"] + "type"
RDF_VALUE = PREFIXES["rdf"] + "value"
RDF_JSON = PREFIXES["rdf"] + "JSON"
XSD_DATE = PREFIXES["xsd"] + "date"
DCTERMS_DATE = PREFIXES["dcterms"] + "date"
EVENT = str(VOX.Event)
EVENT_DATE = str(VOX.date)
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
    fingerprint: int = 0
    value_used: bool = False  # whether the data graphs use rdf:value themselves

    @property
    def records(self) -> int:
        """Triples in the statistics graph: this record and one per month with events."""
        return 1 + len(self.events)

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

    @property
    def version(self) -> str:
        """Changes whenever the data does (a cache key for what is computed from it)."""
        return f"{self.fingerprint:032x}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "triples": self.triples,
                "entities": self.entities,
                "subjects": self.subjects,
                "objects": self.objects,
                "properties": self.properties,
                "classes": dict(sorted(self.classes.items())),
                "events": {m: dict(sorted(k.items())) for m, k in sorted(self.events.items())},
                "fingerprint": self.version,
                "valueUsed": self.value_used,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Statistics:
        data = json.loads(text)
        return cls(
            triples=data["triples"],
            entities=data["entities"],
            subjects=data["subjects"],
            objects=data["objects"],
            properties=data["properties"],
            classes=data["classes"],
            events=data["events"],
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
    text = _record(store, MONTH_RECORD + month)
    return {} if text is None else json.loads(text)


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


def events_by_day(triples: Iterable[ox.Triple]) -> Counter[tuple[str, str]]:
    """(day, kind) -> events among `triples` (one graph's), ALL_KINDS for every kind.

    An event is a resource typed vox:Event and some other vox: class, reported in
    a digest whose date the same triples give; its day is its own vox:date (the
    earliest, should it have several) or else that digest's date.
    """
    types: dict[Term, set[str]] = defaultdict(set)
    own_dates: dict[Term, list[str]] = defaultdict(list)
    reported: dict[Term, list[Term]] = defaultdict(list)
    published: dict[Term, list[str]] = defaultdict(list)
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
    counts: Counter[tuple[str, str]] = Counter()
    for node, classes in types.items():
        if EVENT not in classes:
            continue
        kinds = {c.removeprefix(str(VOX)) for c in classes if c.startswith(str(VOX)) and c != EVENT}
        digest_dates = [day for digest in reported[node] for day in published[digest]]
        if not kinds or not digest_dates:
            continue
        day = min(own_dates[node]) if own_dates[node] else min(digest_dates)
        counts[(day, ALL_KINDS)] += 1
        for kind in kinds:
            counts[(day, kind)] += 1
    return counts


def graph_hash(graph: str, triples: Iterable[ox.Triple]) -> int:
    """A 128-bit hash of one graph's triples, in any order (blank nodes all alike: their
    labels are the store's); 0 for no triples. The fingerprint is the sum of these."""
    lines = sorted(
        " ".join("_:" if isinstance(term, ox.BlankNode) else str(term) for term in t)
        for t in triples
    )
    if not lines:
        return 0
    text = graph + "\n" + "\n".join(lines)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16).digest(), "big")


# -- keeping them: one graph replaced --------------------------------------------------------


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


def rewritten_update(
    store: ReadableStore, graph: str, old: Iterable[ox.Triple], new: Iterable[ox.Triple]
) -> str:
    """The SPARQL Update operations that bring the statistics up to date after `graph`
    was rewritten in place (by SPARQL Update, as loader/store/consolidate.py writes the
    incidents graph) from the triples `old` to `new`; to run right after that write.
    Returns "" if the store keeps no statistics or nothing changed."""
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
    """The Change when `graph`'s triples become those of `ntriples`; None if the store
    keeps no statistics or nothing changes. `condition` (a SPARQL filter) goes into
    the WHERE of every operation. `old` and `new`, when given, are the graph's triples
    before and after instead of the store's and `ntriples`."""
    text = _record(store, STATISTICS_GRAPH)
    if text is None or graph == STATISTICS_GRAPH:
        return None
    current = Statistics.from_json(text)
    name = ox.NamedNode(graph)
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
    touched = added | removed

    # Which subjects, objects and predicates some other data graph holds: those that
    # come or go with this graph, and those of the triples that do (a triple is held
    # elsewhere only if its subject and its object are).
    held: dict[str, set] = {}
    for position, attribute in POSITIONS:
        before = {getattr(t, position) for t in old_set}
        after = {getattr(t, position) for t in new_set}
        asked = (before ^ after) | {getattr(t, position) for t in touched}
        if position == "predicate":
            asked.add(ox.NamedNode(RDF_VALUE))
        held[position] = _held_elsewhere(
            store, graph, position, [x for x in asked if not isinstance(x, ox.BlankNode)]
        )
        if position == "predicate":
            updated.value_used = ox.NamedNode(RDF_VALUE) in held[position] | after
        for terms, sign in ((after - before, 1), (before - after, -1)):
            for term in terms:
                if term in held[position]:
                    continue
                setattr(updated, attribute, getattr(updated, attribute) + sign)
                if position == "subject" and _entity(term):
                    updated.entities += sign

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

    # Events per day and kind.
    change = events_by_day(new_set)
    change.subtract(events_by_day(old_set))
    by_month: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for (day, kind), count in change.items():
        if count:
            by_month[day[:7]][(day, kind)] += count
    replaced, new_records = [], []
    for month, counts in sorted(by_month.items()):
        days = event_days(store, month)
        replaced.append(MONTH_RECORD + month)
        totals = Counter(updated.events.get(month, {}))
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
            new_records.append((MONTH_RECORD + month, _compact(days)))
            updated.events[month] = dict(sorted(totals.items()))
        else:
            updated.events.pop(month, None)
    updated.events = dict(sorted(updated.events.items()))

    # The fingerprint: the old graph out, the new one in.
    total = updated.fingerprint - graph_hash(graph, old_set) + graph_hash(graph, new_set)
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


def _compact(days: dict[str, dict[str, int]]) -> str:
    return json.dumps(days, separators=(",", ":"), sort_keys=True)


def _record_triple(subject: str, text: str) -> str:
    literal = ox.Literal(text, datatype=ox.NamedNode(RDF_JSON))
    return f"<{subject}> <{RDF_VALUE}> {literal}"


def _held_elsewhere(store: ReadableStore, graph: str, position: str, items: list) -> set:
    """Those of `items` (triples, or terms in `position`) that some data graph other
    than `graph` holds. Each check stops at the first quad found outside `graph`."""
    found: set = set()
    outside = f"FILTER(?g != <{graph}> && ?g != <{STATISTICS_GRAPH}>)"
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


def count(store: ReadableStore, graphs: Iterable[str]) -> tuple[Statistics, dict[str, dict]]:
    """The statistics of the whole store, counted from scratch (reads every quad once),
    and the month records. `graphs`: the store's named graphs."""
    (row,) = list(store.select(DISTINCT_COUNTS))
    stats = Statistics(
        triples=int(row["triples"].value),
        entities=int(row["entities"].value),
        subjects=int(row["subjects"].value),
        objects=int(row["objects"].value),
        properties=int(row["properties"].value),
        classes={r["class"].value: int(r["n"].value) for r in store.select(CLASS_COUNTS)},
        value_used=bool(list(store.select(VALUE_USED))),
    )
    days: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    total = 0
    for graph in graphs:
        if graph == STATISTICS_GRAPH:
            continue
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
        total += graph_hash(graph, triples)
        for (day, kind), n in events_by_day(triples).items():
            kinds = days[day[:7]].setdefault(day, {})
            kinds[kind] = kinds.get(kind, 0) + n
    stats.fingerprint = total % FINGERPRINT_MODULUS
    for month, by_day in sorted(days.items()):
        totals: Counter[str] = Counter()
        for kinds in by_day.values():
            totals.update(kinds)
        stats.events[month] = dict(sorted(totals.items()))
    return stats, days


def recount_update(store: ReadableStore, graphs: Iterable[str]) -> str:
    """The SPARQL Update that replaces the statistics graph by a fresh count."""
    stats, days = count(store, graphs)
    records = [(STATISTICS_GRAPH, stats.to_json())] + [
        (MONTH_RECORD + month, _compact(by_day)) for month, by_day in sorted(days.items())
    ]
    lines = "\n".join(f"{_record_triple(subject, text)} ." for subject, text in records)
    return (
        f"DROP SILENT GRAPH <{STATISTICS_GRAPH}> ;\n"
        f"INSERT DATA {{ GRAPH <{STATISTICS_GRAPH}> {{\n{lines}\n}} }}"
    )
