"""Step 4: the embedded Oxigraph store, one named graph per digest.

`GraphStore` is the one small interface the loader and the server use to reach
the data: replace_graph, replace_unless_other_source, remove_graph, update, query,
quads_for_pattern, first_quads, quads, named_graphs, value, statistics, flush (plus
path and read_only). `RemoteStore`
(loader/store/remote.py) offers the same over HTTP to any SPARQL 1.1 server;
`open_store` (loader/store/__init__.py) picks one from --store / --store-url and the
environment.

Snapshots: RocksDB lets several processes open a store read-only, but not while
another process writes it (the open fails on files the writer has compacted
away, and the docs call it undefined behaviour). So the loader, after each
batch, publishes a snapshot of the store: a RocksDB checkpoint (hard links, a
few milliseconds) in `STORE.snapshots/NNNNNN/`, named in `STORE.snapshots/CURRENT`
(replaced atomically). A snapshot never changes; the server opens the newest
one read-only and switches to a newer one between requests. The last
KEEP_SNAPSHOTS are kept.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import DCTERMS
from rdflib.term import BNode, Literal, Node, URIRef

from voxgraph.loader.store import statistics, statistics_update
from voxgraph.loader.store.statistics import Statistics
from voxgraph.paths import ROOT

DEFAULT_STORE = ROOT / "var" / "store"
Pattern = tuple[  # subject, predicate, object, graph; None: any
    ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | ox.Literal | None, ox.NamedNode | None
]
KEEP_SNAPSHOTS = 3


def store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--store, else $VOXGRAPH_STORE, else var/store in the checkout."""
    chosen = explicit or os.environ.get("VOXGRAPH_STORE") or DEFAULT_STORE
    return Path(chosen)


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib IRI, blank node or literal as pyoxigraph's; TypeError for anything else."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if not isinstance(term, Literal):
        raise TypeError(f"not a term of an RDF triple: {term!r}")
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _ntriples_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return str(term)  # pyoxigraph's str() is the N-Triples form


def graph_as_ntriples(graph: Graph) -> str:
    """The triples of `graph` as N-Triples lines (for INSERT DATA)."""
    return "\n".join(
        f"{_ntriples_term(to_oxigraph(s))} {_ntriples_term(to_oxigraph(p))} "
        f"{_ntriples_term(to_oxigraph(o))} ."
        for s, p, o in graph
    )


class StoreFormError(ValueError):
    """Triples the store would keep in another form than the one validated."""


def stored_form_changes(ntriples: str) -> list[tuple[str, str]]:
    """The triples of `ntriples` (N-Triples text) that Oxigraph would keep in another form,
    each as (written, kept); [] when the store keeps every triple as written.

    Oxigraph stores a typed literal by its value and writes it back in a canonical
    form (loader/literals.py lists the cases), so this asks an in-memory store,
    which canonicalises exactly as the one on disk does: about 2 ms per digest.
    """
    probe = ox.Store()
    probe.load(ntriples, ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    kept = {f"{quad.triple} ." for quad in probe}
    changes = []
    for line in ntriples.splitlines():
        if line and line not in kept:
            alone = ox.Store()
            alone.load(line, ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            changes.append((line, " ".join(f"{quad.triple} ." for quad in alone)))
    return changes


def check_stored_form(ntriples: str, what: str) -> None:
    """Raise StoreFormError if the store would not keep every triple of `ntriples` as written.

    What was validated against the shapes must be what is stored and dumped: a
    literal the store rewrites (xsd:nonNegativeInteger to xsd:integer, say) is
    refused here, naming it, instead of changing silently.
    """
    changes = stored_form_changes(ntriples)
    if changes:
        lines = [f"{what}: the store would not keep {len(changes)} triple(s) as validated:"]
        lines += [f"  {written}\n  would be stored as\n  {kept}" for written, kept in changes[:5]]
        raise StoreFormError("\n".join(lines))


class GraphStore:
    """A pyoxigraph store on disk, seen as a set of named graphs."""

    update_triples: int | None = None  # any update is one transaction, whatever its size

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False):
        self.path = store_path(path) if path is not None else None
        self.read_only = read_only
        if self.path is None:
            self.ox = ox.Store()
        elif read_only:
            self.ox = ox.Store.read_only(str(self.path))
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            self.ox = ox.Store(str(self.path))

    def replace_graph(self, name: URIRef, graph: Graph | str) -> list[str]:
        """Replace named graph `name` by `graph` (or its N-Triples text) in one transaction.

        Readers see either the old graph or the new one, never a mix, and a
        crash in the middle leaves the old one. A store that keeps statistics
        (loader/store/statistics.py) has them brought up to date in the same transaction.
        No notes: what Oxigraph would store in another form is refused before
        (check_stored_form).
        """
        body = graph if isinstance(graph, str) else graph_as_ntriples(graph)
        counts = statistics_update.replacement_update(self, str(name), body)
        self.update(
            f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}"
            + (f" ;\n{counts}" if counts else "")
        )
        return []

    def holds(self, name: URIRef, graph: Graph | str) -> bool:
        """Whether graph `name` holds exactly the triples of `graph` (never, with blank
        nodes: their labels are the store's)."""
        body = graph if isinstance(graph, str) else graph_as_ntriples(graph)
        wanted = set(statistics_update.as_stored(body))
        stored = {
            ox.Triple(q.subject, q.predicate, q.object)
            for q in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))
        }
        blank = any(
            isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
            for t in wanted | stored
        )
        return not blank and stored == wanted

    def take_notes(self) -> list[str]:
        """None: the embedded store keeps what it is given (check_stored_form)."""
        return []

    def replace_unless_other_source(
        self, name: URIRef, graph: Graph | str, digest: URIRef, source: str
    ) -> str | None:
        """Replace graph `name` as replace_graph does, unless it holds a `digest` whose
        dcterms:source is another file than `source`: then nothing changes and that
        file's name is returned (None when the graph was replaced).

        A look-up and then the update: RocksDB locks the store against every other
        process, so no other loader can write between the two.
        """
        stored = self.value(name, digest, DCTERMS.source)
        if stored is not None and stored != source:
            return stored
        self.replace_graph(name, graph)
        return None

    def remove_graph(self, name: URIRef) -> None:
        counts = statistics_update.replacement_update(self, str(name), "")
        self.update(f"DROP SILENT GRAPH <{name}>" + (f" ;\n{counts}" if counts else ""))

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (all its operations in one transaction)."""
        self.ox.update(sparql)

    def statistics(self) -> Statistics | None:
        """The counts kept with the data (loader/store/statistics.py), or None if it keeps none."""
        return statistics.read(self)

    def recount_statistics(self) -> Statistics:
        """Count the statistics of the whole store afresh (reads every quad) and keep
        them from now on: every later replace_graph and remove_graph updates them."""
        self.update(statistics_update.recount_update(self, self.named_graphs()))
        counted = self.statistics()
        assert counted is not None
        return counted

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs())

    def quads_for_pattern(
        self, subject=None, predicate=None, object=None, graph_name=None, *, limit=None
    ) -> Iterator[ox.Quad]:
        """Quads matching the pattern (None: any), in the store's index order; at most
        `limit` of them (read lazily: a limit bounds the work)."""
        quads = self.ox.quads_for_pattern(subject, predicate, object, graph_name)
        return quads if limit is None else islice(quads, limit)

    def first_quads(
        self, patterns: Sequence[Pattern], *, outside: str | None = None
    ) -> list[ox.Quad | None]:
        """For each (subject, predicate, object, graph) pattern (None: any; graph: a named
        graph), its first quad in the index, not counting graph `outside`, or None.

        One index seek per pattern (plus the quads of `outside` that come first), so a
        page can look up many terms at a cost bounded by how many."""
        skip = ox.NamedNode(outside) if outside else None
        found: list[ox.Quad | None] = []
        for subject, predicate, object_, graph in patterns:
            quads = self.ox.quads_for_pattern(subject, predicate, object_, graph)
            found.append(
                next(
                    (
                        q
                        for q in quads
                        if q.graph_name != skip and not isinstance(q.graph_name, ox.DefaultGraph)
                    ),
                    None,
                )
            )
        return found

    def value(self, graph: URIRef, subject: URIRef, predicate: URIRef) -> str | None:
        """One object of (subject, predicate) in `graph`, as a string, or None."""
        for quad in self.ox.quads_for_pattern(
            ox.NamedNode(str(subject)), ox.NamedNode(str(predicate)), None, ox.NamedNode(str(graph))
        ):
            return None if isinstance(quad.object, ox.Triple) else quad.object.value
        return None

    def query(
        self,
        sparql: str,
        *,
        default_graph: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query; the default graph is the union of all graphs
        unless `default_graph` names some. Relative IRIs resolve against `base_iri`."""
        kwargs: dict = {"base_iri": base_iri}
        if default_graph:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self.ox.query(sparql, **kwargs)

    def select(self, sparql: str) -> ox.QuerySolutions:
        """The solutions of `sparql`, a SELECT query over the union of all graphs."""
        answer = self.query(sparql)
        if not isinstance(answer, ox.QuerySolutions):
            raise TypeError(f"not a SELECT query: {sparql[:80]!r}")
        return answer

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Every quad (of one graph), in a stable order."""
        graph_node = ox.NamedNode(graph) if graph else None
        return iter(sorted(self.ox.quads_for_pattern(None, None, None, graph_node), key=str))

    def dump(self, output: IO[bytes] | str | os.PathLike[str], fmt: ox.RdfFormat, **kwargs) -> None:
        self.ox.dump(output, fmt, **kwargs)

    def flush(self) -> None:
        self.ox.flush()

    def publish_snapshot(self) -> Path:
        """Checkpoint this (on-disk, writable) store as the newest snapshot; returns its path."""
        if self.path is None or self.read_only:
            raise ValueError("only a writable store on disk can publish snapshots")
        folder = snapshots_folder(self.path)
        folder.mkdir(exist_ok=True)
        numbers = _snapshot_numbers(folder)
        target = folder / f"{(max(numbers) + 1 if numbers else 1):06d}"
        self.ox.flush()
        self.ox.backup(str(target))
        pointer = folder / "CURRENT.tmp"
        pointer.write_text(target.name + "\n", encoding="ascii")
        with pointer.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer, folder / "CURRENT")
        for old in sorted(numbers)[: max(len(numbers) + 1 - KEEP_SNAPSHOTS, 0)]:
            shutil.rmtree(folder / f"{old:06d}", ignore_errors=True)
        return target


def snapshots_folder(path: Path) -> Path:
    """Where the snapshots of the store at `path` live: a sibling folder."""
    return path.with_name(path.name + ".snapshots")


def latest_snapshot(path: Path) -> Path | None:
    """The newest published snapshot of the store at `path`, or None.

    `path` may be the store or one of its snapshots (then its siblings count).
    """
    folder = path.parent if path.parent.name.endswith(".snapshots") else snapshots_folder(path)
    try:
        name = (folder / "CURRENT").read_text(encoding="ascii").strip()
    except OSError:
        return None
    return folder / name if name and (folder / name).is_dir() else None


def _snapshot_numbers(folder: Path) -> list[int]:
    return [int(p.name) for p in folder.iterdir() if p.name.isdigit() and p.is_dir()]
