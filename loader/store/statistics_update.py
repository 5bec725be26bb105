"""Keeping the statistics (loader/store/statistics.py) with the data: the SPARQL Update
that brings them up to date when one graph is replaced or patched, in the same request
as the write, and the one that counts them afresh over the whole store."""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from voxgraph.iris import ID
from voxgraph.loader.store.statistics import (
    FINGERPRINT_MODULUS,
    LONG_LITERAL,
    POSITIONS,
    RDF_JSON,
    RDF_TYPE,
    RDF_VALUE,
    SERIES,
    STATISTICS_GRAPH,
    VALUES_CHUNK,
    ReadableStore,
    Statistics,
    Term,
    by_day,
    graph_hash,
    month_days,
    read_record,
)

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
    patched in place (loader/store/consolidate.py's incidents). `old` must hold every triple of
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
    after_write: bool = False,
) -> Change | None:
    """The Change when `graph`'s triples become those of `ntriples`, computed before the
    write; None if the store keeps no statistics or nothing changes. `condition` (a
    SPARQL filter) goes into the WHERE of every operation. `old` and `new`, when given,
    are the triples of the subjects a patch rewrites, before and after (`patch_update`).

    after_write: computed after the write instead, `old` and `new` the whole graph
    before and as stored (a remote store: a Graph Store PUT cannot carry the statistics'
    update, and the engine may store literals in its own forms); the graph's own
    holdings of a term are then counted in `old`, not asked of the store."""
    text = read_record(store, STATISTICS_GRAPH)
    current = None if text is None else Statistics.from_json(text)
    if text is None or current is None or graph == STATISTICS_GRAPH:
        return None
    name = ox.NamedNode(graph)
    whole = old is None or after_write
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
        in_old = Counter(getattr(t, position) for t in old_set) if after_write else Counter()
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
            elif after_write:  # the graph holds `new` already
                kept = in_old[term]
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
    guard = (  # by its MD5: the record grows with the months, too long a constant for some
        f"FILTER EXISTS {{ GRAPH <{STATISTICS_GRAPH}> {{ <{STATISTICS_GRAPH}> <{RDF_VALUE}> "
        f'?current FILTER(MD5(STR(?current)) = "{_md5(text)}") }} }}'
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
    for quad in store.quads_for_pattern(pattern[0], pattern[1], pattern[2], graph):
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
    """Record `subject` becomes `text` (None: goes), if `condition`: the new record
    inserted, then any other deleted. Not one DELETE/INSERT over an OPTIONAL, which
    Virtuoso 7.2 runs for no solution when the OPTIONAL matches nothing (a new month)."""
    where = f"GRAPH <{STATISTICS_GRAPH}> {{ <{subject}> <{RDF_VALUE}> ?value }}"
    if text is None:
        return f"DELETE {{ {where} }} WHERE {{ {where} {condition} }}"
    insert = f"INSERT {{ GRAPH <{STATISTICS_GRAPH}> {{ {_record_triple(subject, text)} }} }}"
    other = f'FILTER(MD5(STR(?value)) != "{_md5(text)}")'
    return (
        f"{insert} WHERE {{ {condition} }} ;\n"
        f"DELETE {{ {where} }} WHERE {{ {where} {other} {condition} }}"
    )


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


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
    found there.

    Terms go to the store in VALUES blocks, and the answer names them by position, not
    by value (an engine may write a value back in another form). A literal goes in a
    pattern of its own instead when it is long (Virtuoso 7.2 refuses long VALUES rows:
    SR478), or when the store says its engine cannot match literals of VALUES
    (`values_of_literals` False: Virtuoso 7.2 never matches a plain literal of a VALUES
    block of more than one row). A store may say how to find a literal it cannot look up
    as written (`literal_filter`: Virtuoso 7.2's durations, kept as numbers)."""
    found: set = set()

    def held(pattern: str) -> str:
        """`pattern` in graph `only`, else in a data graph other than `graph`. `only` by its
        string: Virtuoso 7.2 matches any pattern in GRAPH <g>, and with FILTER(?g = <g>),
        when no graph <g> exists (the incidents graph before its first write)."""
        if only:
            return f'GRAPH ?g {{ {pattern} }} FILTER(STR(?g) = "{only}")'
        return f"GRAPH ?g {{ {pattern} }} FILTER(?g != <{graph}> && ?g != <{STATISTICS_GRAPH}>)"

    variable = {"subject": "?x ?p ?o", "predicate": "?s ?x ?o", "object": "?s ?p ?x"}.get(position)
    literals = getattr(store, "values_of_literals", True)
    alone = [item for item in items if _long(item) or (not literals and _literal(item))]
    matcher = getattr(store, "literal_filter", None)
    for item in alone:
        pattern = f"{item.subject} {item.predicate} ?x" if position == "triple" else str(variable)
        match = matcher(_term_of(item), "?x") if matcher else None
        if match is None:  # the term itself in the pattern
            pattern, match = pattern.replace("?x", str(_term_of(item))), ""
        where = f"{held(pattern)} {match}"
        if any(True for _ in store.select(f"SELECT (1 AS ?held) WHERE {{ {where} }} LIMIT 1")):
            found.add(item)
    chosen = set(alone)
    items = [item for item in items if item not in chosen]
    for start in range(0, len(items), VALUES_CHUNK):
        chunk = items[start : start + VALUES_CHUNK]
        if position == "triple":
            rows = " ".join(
                f"({t.subject} {t.predicate} {t.object} {i})" for i, t in enumerate(chunk)
            )
            query = (
                f"SELECT DISTINCT ?i WHERE {{ VALUES (?s ?p ?o ?i) {{ {rows} }} "
                f"{held('?s ?p ?o')} }}"
                if only  # a join: Virtuoso 7.2 answers every row with FILTER EXISTS here
                else f"SELECT ?i WHERE {{ VALUES (?s ?p ?o ?i) {{ {rows} }} "
                f"FILTER EXISTS {{ {held('?s ?p ?o')} }} }}"
            )
        else:
            rows = " ".join(f"({term} {i})" for i, term in enumerate(chunk))
            query = (
                f"SELECT ?i WHERE {{ VALUES (?x ?i) {{ {rows} }} "
                f"FILTER EXISTS {{ {held(str(variable))} }} }}"
            )
        found |= {chunk[_index(row)] for row in store.select(query)}
    return found


def _index(row: ox.QuerySolution) -> int:
    """The row number ?i of an answer to _held_elsewhere's VALUES queries."""
    index = row["i"]
    assert isinstance(index, ox.Literal), f"?i unbound or not a number: {index!r}"
    return int(index.value)


def _literal(item: ox.Triple | Term) -> bool:
    return isinstance(_term_of(item), ox.Literal)


def _long(item: ox.Triple | Term) -> bool:
    term = _term_of(item)
    return isinstance(term, ox.Literal) and len(term.value) > LONG_LITERAL


def _term_of(item: ox.Triple | Term) -> Term:
    if isinstance(item, ox.Triple):
        assert not isinstance(item.object, ox.Triple), "no RDF-star triples in the data"
        return item.object
    return item


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
