"""Dumps: the whole store (.ttl, .nt: the union of all graphs; .trig, .nq: every named
graph) or one named graph, each also gzipped, as `voxgraph dump` writes them and the web
layer serves them (server/dumps.py: /dump.ttl, /graph/digest/2022-11-04.trig, ...), with
the ETag and Last-Modified that identify what a download holds.

Streamed, never built whole in memory. Statements come straight from the store's
indexes, in their key order, and are serialized a batch at a time:

- .trig and .nq read the quads in index order: the default graph, then the named graphs,
  each subject by subject (RocksDB's GSPO index: graph, subject, predicate, object).
- .ttl and .nt of the whole store hold each triple once even when several graphs state
  it. The quads are read in the same order; each subject is written once, where its
  *home graph* comes: the graph of its first quad in the SPOG index (subject first, so
  all its graphs together), checked with one index lookup per subject and graph. There
  the subject's quads of every graph are read from the SPOG index and deduplicated as
  they come: the index orders them by predicate, object, then graph, so the quads
  stating one triple in several graphs are neighbours (only the default graph's, which
  the index gives first and voxgraph never writes, are remembered).
- A batch ends where a subject ends (in TriG, where a subject of a graph ends; a graph
  larger than a batch is written as several `graph { }` blocks, which TriG allows), so
  each batch is well-formed on its own; Turtle and TriG prefixes come once, at the top.
  A subject with more than BATCH statements (an actor named in thousands of digests)
  is written in pieces of BATCH, each a block of its own, so that memory is bounded by
  a batch, not by the largest subject nor by the store.
- The whole store as N-Quads, and one graph as N-Triples, need no batching, layout or
  deduplication: oxigraph writes them itself (Store.dump, which reads the same index in
  the same order and releases the GIL) in a thread of its own, through a bounded queue
  of chunks, about 3 times as fast as the batches (same bytes: tested).

The same data gives byte-identical files. The index keys encode each term by its value
(IRIs and long strings by a fixed SipHash-128 of the string, short strings and numbers
inline), so the key order is a function of the set of quads only: not of the order they
were inserted in, nor of the store's history (flushes, compactions). Tested by loading
the same quads in two orders into two stores (tests/test_dumps.py). This holds for
stores on disk, which is what the server and `voxgraph dump` read. pyoxigraph's
in-memory store iterates in an order that differs from one instance to the next, and a
remote store (loader/store/remote.py) answers in its server's order, having read the
whole answer already: those two are sorted in memory (by N-Triples text), as before.
Gzip gets no timestamp or file name.

Every download carries an ETag computed without reading every quad, from what identifies
the data: for each graph (by IRI), the digest's `vox:fingerprint` (one index lookup for
all graphs; the fingerprint is a hash of the digest
file's bytes and of every source that decides how text becomes triples: the loader
only ever writes a digest graph together with its fingerprint, and skips a digest whose
fingerprint is unchanged), or else (the ontology, the registry, anything else) a SHA-256
of the graph's quads; plus the format, the gzip flag, the pyoxigraph version (it decides
the order) and DUMP_LAYOUT. A store that keeps statistics (every store `voxgraph load`
writes) has a fingerprint of all its named graphs kept with the data, which then
identifies the whole store in one read. A read-only store (what the server serves: a snapshot, which
never changes) computes it once. Last-Modified is when the store last changed on disk.
The web layer answers conditional requests with 304 without reading the data.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import threading
import time
import weakref
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain, groupby, islice
from typing import IO, BinaryIO, TypeGuard, TypeVar, cast

import pyoxigraph as ox

from voxgraph.iris import PREFIXES, VOX
from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore

DUMP_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
}
BATCH = 2_000  # statements serialized at a time (a batch ends at a subject boundary)
CHUNK_BYTES = 256 * 1024  # what oxigraph's own writer hands over at a time
CHUNKS_AHEAD = 8  # at most this many chunks wait for a slow client: bounded memory
SORTED_PREFIXES = dict(sorted(PREFIXES.items()))
DUMP_LAYOUT = "index-order/1"  # change when the order or the layout of the files changes
FINGERPRINT = ox.NamedNode(str(VOX.fingerprint))
STARTED = time.time()

Statement = ox.Triple | ox.Quad
S = TypeVar("S", ox.Triple, ox.Quad, Statement)


def write_dump(store: Store, out: BinaryIO, fmt: str, graph: str | None = None) -> None:
    """Write the whole store (or one named graph) to `out` as `fmt`: "ttl", "nt", "trig", "nq"."""
    if fmt not in DUMP_FORMATS:
        raise ValueError(f"unknown dump format {fmt!r}; use one of {', '.join(DUMP_FORMATS)}")
    for chunk in dump_chunks(store, fmt, graph):
        out.write(chunk)


def dump_chunks(store: Store, fmt: str, graph: str | None = None) -> Iterator[bytes]:
    """The bytes of a dump, a chunk at a time (by oxigraph itself where it writes the same)."""
    if streams_in_index_order(store) and (fmt, graph is None) in (("nq", True), ("nt", False)):
        return native_dump(store, fmt, graph)
    return serialize(statement_groups(store, fmt, graph), fmt)


def native_dump(store: GraphStore, fmt: str, graph: str | None = None) -> Iterator[bytes]:
    """Store.dump, run in a thread, as chunks; stopping the iteration stops the dump.

    Only for formats whose output is the index order, line by line: "nq" of the whole
    store, "nt" of one graph (both equal to what `serialize` writes).
    """
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(CHUNKS_AHEAD)
    stop = threading.Event()

    def hand_over(item: bytes | BaseException | None) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise BrokenPipeError("the download was abandoned")

    class Writer:
        def __init__(self) -> None:
            self.buffer = bytearray()

        def write(self, data: bytes) -> int:
            if stop.is_set():
                raise BrokenPipeError("the download was abandoned")
            self.buffer += data
            if len(self.buffer) >= CHUNK_BYTES:
                hand_over(bytes(self.buffer))
                self.buffer.clear()
            return len(data)

        def flush(self) -> None:
            """Chunks go out when full; the last one when the dump ends."""

    def produce() -> None:
        writer = Writer()
        try:
            from_graph = ox.NamedNode(graph) if graph else None
            # pyoxigraph only calls the writer's write(): it needs no more of a file
            store.ox.dump(cast(IO[bytes], writer), DUMP_FORMATS[fmt][0], from_graph=from_graph)
            if writer.buffer:
                hand_over(bytes(writer.buffer))
            hand_over(None)
        except BaseException as error:  # handed to the reader, raised there
            if not stop.is_set():
                hand_over(error)

    threading.Thread(target=produce, name="dump", daemon=True).start()
    try:
        while (chunk := chunks.get()) is not None:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk
    finally:
        stop.set()  # the writer stops at its next write


# -- what a dump holds, subject by subject ------------------------------------------------


def statement_groups(
    store: Store, fmt: str, graph: str | None = None
) -> Iterator[Sequence[Statement]]:
    """The statements of a dump, one subject (of one graph, for .trig and .nq) at a time."""
    if not streams_in_index_order(store):
        yield from _sorted_groups(store, fmt, graph)
        return
    graph_node = ox.NamedNode(graph) if graph else None
    quads = store.quads_for_pattern(None, None, None, graph_node)
    if DUMP_FORMATS[fmt][0].supports_datasets:
        for _, group in groupby(quads, key=lambda q: (q.graph_name, q.subject)):
            yield from pieces(group, BATCH)
    elif graph_node is not None:  # one graph: a set already, nothing to deduplicate
        for _, group in groupby(quads, key=lambda q: q.subject):
            yield from pieces((q.triple for q in group), BATCH)
    else:
        yield from union_subjects(store)


def pieces(statements: Iterable[S], size: int) -> Iterator[list[S]]:
    """`statements` in lists of at most `size`."""
    iterator = iter(statements)
    while piece := list(islice(iterator, size)):
        yield piece


def streams_in_index_order(store: Store) -> TypeGuard[GraphStore]:
    """True for an embedded store on disk, whose quads come in key order (see above).

    pyoxigraph's in-memory store iterates in an order that differs between instances, and
    a remote store (loader/store/remote.py) in whatever order its server answers, having
    read the whole answer anyway: for those the statements are sorted in memory.
    """
    return isinstance(store, GraphStore) and store.path is not None


def union_subjects(store: GraphStore) -> Iterator[list[ox.Triple]]:
    """The union of all graphs, one subject at a time, each subject once, each triple once.

    Reads the quads in index order (graph by graph, subject by subject) and writes a
    subject where it meets it in its home graph: the graph of the subject's first quad in
    the SPOG index. Every subject has exactly one home graph and is met there once.
    """
    quads = store.quads_for_pattern(None, None, None, None)
    for (graph, subject), group in groupby(quads, key=lambda q: (q.graph_name, q.subject)):
        for _ in group:  # skip this graph's quads of the subject: read below, from SPOG
            pass
        everywhere = store.quads_for_pattern(subject, None, None, None)
        first = next(everywhere)
        if first.graph_name != graph:
            continue  # written (or to be written) with its home graph
        yield from pieces(distinct_triples(subject, chain([first], everywhere)), BATCH)


def distinct_triples(
    subject: ox.NamedNode | ox.BlankNode, quads: Iterable[ox.Quad]
) -> Iterator[ox.Triple]:
    """The triples of one subject's quads, each once, in the order of the quads.

    The quads come in SPOG key order: the default graph's first, then the named graphs'
    by predicate, object and graph, so a triple stated in several named graphs comes
    as neighbouring quads. Only the default graph's triples are remembered (voxgraph
    writes none there).
    """
    in_default_graph: set[tuple] = set()
    previous = None
    for quad in quads:
        key = (quad.predicate, quad.object)
        if isinstance(quad.graph_name, ox.DefaultGraph):
            if key in in_default_graph:
                continue
            in_default_graph.add(key)
        elif key == previous or key in in_default_graph:
            continue
        previous = key
        yield ox.Triple(subject, *key)


def _sorted_groups(store: Store, fmt: str, graph: str | None) -> Iterator[Sequence[Statement]]:
    graph_node = ox.NamedNode(graph) if graph else None
    quads = sorted(store.quads_for_pattern(None, None, None, graph_node), key=_quad_key)
    if DUMP_FORMATS[fmt][0].supports_datasets:
        for _, group in groupby(quads, key=lambda q: (q.graph_name, q.subject)):
            yield list(group)
        return
    distinct = sorted({(q.subject, q.predicate, q.object) for q in quads}, key=_triple_key)
    del quads
    for _, of_subject in groupby(distinct, key=lambda spo: spo[0]):
        yield [ox.Triple(*spo) for spo in of_subject]


def _triple_key(spo: tuple) -> tuple[str, str, str]:
    return tuple(map(str, spo))  # type: ignore[return-value]


def _quad_key(quad: ox.Quad) -> tuple[bool, str, str, str, str]:
    """Default graph first, then by graph name, subject, predicate, object."""
    in_named_graph = not isinstance(quad.graph_name, ox.DefaultGraph)
    return (
        in_named_graph,
        str(quad.graph_name),
        str(quad.subject),
        str(quad.predicate),
        str(quad.object),
    )


# -- bytes ------------------------------------------------------------------------------


def rdf_bytes(
    statements: Iterable[ox.Triple] | Iterable[ox.Quad],
    rdf_format: ox.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """`statements` written as `rdf_format` (with `prefixes` declared where it can)."""
    out = io.BytesIO()
    ox.serialize(statements, out, rdf_format, prefixes=prefixes)
    return out.getvalue()


def serialize(groups: Iterable[Sequence[Statement]], fmt: str) -> Iterator[bytes]:
    """The groups as `fmt`, a batch of whole groups at a time; prefixes once, at the top."""
    rdf_format = DUMP_FORMATS[fmt][0]
    if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        for batch in _batches(groups, BATCH):
            yield rdf_bytes(batch, rdf_format)
        return
    first = True
    for batch in _batches(groups, BATCH):
        body = rdf_bytes(batch, rdf_format, SORTED_PREFIXES)
        if not first:  # the prefixes were written with the first batch
            body = _without_prefixes(body)
        first = False
        yield body


def gzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """gzip of the chunks, with no file name or timestamp in the header (so it is deterministic)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()


def _batches(
    groups: Iterable[Sequence[Statement]], size: int
) -> Iterator[list[ox.Triple] | list[ox.Quad]]:
    """Whole groups, at least `size` statements at a time (the last batch may have fewer).

    statement_groups gives quads for a dataset format and triples otherwise, never both,
    so a batch is all triples or all quads."""
    batch: list[Statement] = []
    for group in groups:
        batch.extend(group)
        if len(batch) >= size:
            yield cast(list[ox.Triple] | list[ox.Quad], batch)
            batch = []
    if batch:
        yield cast(list[ox.Triple] | list[ox.Quad], batch)


def _without_prefixes(body: bytes) -> bytes:
    """`body` without its leading @prefix lines (a literal never spans lines: \\n is escaped)."""
    start = 0
    while body.startswith(b"@prefix ", start):
        start = body.index(b"\n", start) + 1
    return body[start:]


# -- ETag ---------------------------------------------------------------------------------


_identities: weakref.WeakKeyDictionary[Store, dict[str | None, str]] = weakref.WeakKeyDictionary()
_identities_lock = threading.Lock()


def etag(store: Store, fmt: str, gz: bool, graph: str | None = None) -> str:
    """The ETag of a download: changes whenever a quad of what it holds changes."""
    digest = hashlib.sha256(f"{DUMP_LAYOUT}\n{ox.__version__}\n{fmt}\n".encode())
    digest.update(data_identity(store, graph).encode())
    return digest.hexdigest()[:32] + ("-gz" if gz else "")


def data_identity(store: Store, graph: str | None = None) -> str:
    """A hash identifying the quads of the store (or of one named graph), read cheaply.

    A read-only store never changes, so its answer is kept for as long as the handle lives.
    """
    if not store.read_only:
        return _data_identity(store, graph)
    with _identities_lock:
        known = _identities.setdefault(store, {})
        if graph not in known:
            known[graph] = _data_identity(store, graph)
        return known[graph]


def _data_identity(store: Store, graph: str | None) -> str:
    statistics = store.statistics() if graph is None else None
    if statistics is not None:
        # The store keeps a fingerprint of its named graphs with the data (loader/
        # statistics.py): one small read, where the rest below reads a fingerprint per
        # digest and hashes the ontology and the registry. The default graph (empty
        # in a store voxgraph writes) is hashed as before.
        default = content_hash(store, ox.DefaultGraph()) if streams_in_index_order(store) else ""
        return hashlib.sha256(f"statistics {statistics.version}\n{default}".encode()).hexdigest()
    names: list[ox.NamedNode | ox.DefaultGraph] = [
        ox.NamedNode(name) for name in ([graph] if graph else store.named_graphs())
    ]
    if graph is None and streams_in_index_order(store):
        names.insert(0, ox.DefaultGraph())  # a remote store's default graph is the union
    stamps = fingerprints(store, graph)
    digest = hashlib.sha256()
    for name in names:
        if isinstance(name, ox.NamedNode) and len(stamps.get(name.value, ())) == 1:
            identity = "fingerprint " + stamps[name.value][0]
        else:
            identity = "sha256 " + content_hash(store, name)
        label = name.value if isinstance(name, ox.NamedNode) else ""
        digest.update(f"{label}\t{identity}\n".encode())
    return digest.hexdigest()


def fingerprints(store: Store, graph: str | None) -> dict[str, list[str]]:
    """Graph IRI -> the vox:fingerprint values stated in it (one query, an index lookup)."""
    where = f"GRAPH {ox.NamedNode(graph)}" if graph else "GRAPH ?g"
    query = f"SELECT ?g ?f WHERE {{ {where} {{ ?d <{FINGERPRINT.value}> ?f }} }}"
    found: dict[str, list[str]] = {}
    for row in store.select(query):
        name = graph or row["g"].value
        if isinstance(row["f"], ox.Literal):
            found.setdefault(name, []).append(row["f"].value)
    return found


def content_hash(store: Store, name: ox.NamedNode | ox.DefaultGraph) -> str:
    """SHA-256 of a graph's quads, in the order the store gives them (fixed: see above)."""
    quads: Iterable[ox.Quad] = store.quads_for_pattern(None, None, None, name)
    if not streams_in_index_order(store):
        quads = sorted(quads, key=_quad_key)
    digest = hashlib.sha256()
    for quad in quads:
        digest.update(f"{quad.subject} {quad.predicate} {quad.object}\n".encode())
    return digest.hexdigest()


def holds_graph(store: Store, graph: str) -> bool:
    """Whether `graph` is a named graph of the store with a quad in it: one index seek
    (listing every named graph would read one name per digest)."""
    try:
        name = ox.NamedNode(graph)
    except ValueError:
        return False
    return any(True for _ in store.quads_for_pattern(None, None, None, name, limit=1))


def last_modified(store: Store) -> datetime:
    """When the store last changed on disk (an in-memory store: when this process started)."""
    newest = STARTED
    if store.path is not None and store.path.is_dir():
        with os.scandir(store.path) as entries:
            newest = max((e.stat().st_mtime for e in entries if e.is_file()), default=STARTED)
    return datetime.fromtimestamp(int(newest), UTC)
