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
loader/store/consolidate.py patches after each batch) is kept by `patch_update`, from
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

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from voxgraph.iris import GRAPH, PREFIXES, VOX

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
VALUES_CHUNK = 200  # terms per FILTER EXISTS query (Virtuoso 7.2 plans more than ~300 badly)
LONG_LITERAL = 4_000  # characters: a longer literal is asked of the store on its own
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
    text = read_record(store, STATISTICS_GRAPH)
    return None if text is None else Statistics.from_json(text)


def event_days(store: ReadableStore, month: str) -> dict[str, dict[str, int]]:
    """Events per day ("2030-01-05") and kind in `month` ("2030-01"); {} if none."""
    return month_days(store, "events", month)


def incident_days(store: ReadableStore, month: str) -> dict[str, dict[str, int]]:
    """Incidents per day ("2030-01-05") and kind in `month` ("2030-01"); {} if none."""
    return month_days(store, "incidents", month)


def month_days(store: ReadableStore, series: str, month: str) -> dict[str, dict[str, int]]:
    text = read_record(store, dict(SERIES)[series] + month)
    if text is None:
        return {}
    days = json.loads(text)
    return days if series == "events" else days[series]


def record(store: ReadableStore) -> str | None:
    """The main record's text as stored (None: the store keeps no statistics)."""
    return read_record(store, STATISTICS_GRAPH)


def read_record(store: ReadableStore, subject: str) -> str | None:
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
