"""Dumps: streamed in the store's index order, byte-identical for the same data however it was
loaded, each triple once in the union formats, well-formed batches, and ETags that follow
the data without reading it."""

from __future__ import annotations

import gzip
import io
import random
import shutil
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from tests.server_fixtures import GRAPH_1, make_sample_store, sample_graph, union_graph
from voxgraph.iris import GRAPH, ONTOLOGY_GRAPH, REGISTRY_GRAPH
from voxgraph.loader import pipeline
from voxgraph.loader.store import dumps
from voxgraph.loader.store.dumps import DUMP_FORMATS, etag, serialize, statement_groups, write_dump
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS
from voxgraph.server.app import create_app

FORMATS = list(DUMP_FORMATS)
DIGEST_GRAPH = str(GRAPH["digest/2022-11-04"])
EX = "http://example.org/"


def dump_bytes(store: GraphStore, fmt: str, graph: str | None = None) -> bytes:
    out = io.BytesIO()
    write_dump(store, out, fmt, graph)
    return out.getvalue()


def all_quads(store: GraphStore) -> list[ox.Quad]:
    return list(store.ox.quads_for_pattern(None, None, None, None))


def shared_quads() -> list[ox.Quad]:
    """Triples stated in several graphs, the default graph among them."""
    s, p = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p")
    graphs = [ox.DefaultGraph(), ox.NamedNode(str(GRAPH_1)), ox.NamedNode(str(REGISTRY_GRAPH))]
    return [
        ox.Quad(s, p, obj, graph)
        for graph in graphs
        for obj in (ox.Literal("shared"), ox.Literal(str(graph)), ox.NamedNode(EX + "o"))
    ]


@pytest.fixture(scope="module")
def corpus_quads(corpus_store: GraphStore) -> list[ox.Quad]:
    return all_quads(corpus_store) + shared_quads()


def store_from(path: Path, quads: list[ox.Quad], seed: int) -> GraphStore:
    """A store on disk holding `quads`, inserted in an order (and batches) decided by `seed`."""
    shuffled = list(quads)
    random.Random(seed).shuffle(shuffled)
    store = GraphStore(path)
    size = 97 * seed
    for start in range(0, len(shuffled), size):
        store.ox.extend(shuffled[start : start + size])
        if seed % 2:
            store.flush()
    if seed % 2:
        store.ox.optimize()
    return store


@pytest.fixture(scope="module")
def two_stores(
    tmp_path_factory: pytest.TempPathFactory, corpus_quads: list[ox.Quad]
) -> tuple[GraphStore, GraphStore]:
    folder = tmp_path_factory.mktemp("orders")
    return store_from(folder / "a", corpus_quads, 1), store_from(folder / "b", corpus_quads, 2)


# -- determinism --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_quads_inserted_in_other_orders_dump_to_the_same_bytes(
    two_stores: tuple[GraphStore, GraphStore], fmt: str
) -> None:
    first, second = two_stores
    assert dump_bytes(first, fmt) == dump_bytes(second, fmt)
    assert dump_bytes(first, fmt, DIGEST_GRAPH) == dump_bytes(second, fmt, DIGEST_GRAPH)
    assert etag(first, fmt, False) == etag(second, fmt, False)


def test_the_same_quads_reopened_read_only_dump_to_the_same_bytes(
    two_stores: tuple[GraphStore, GraphStore],
) -> None:
    first, _ = two_stores
    first.flush()
    reopened = GraphStore(first.path, read_only=True)
    for fmt in FORMATS:
        assert dump_bytes(reopened, fmt) == dump_bytes(first, fmt)
        assert etag(reopened, fmt, True) == etag(first, fmt, True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reloading_the_corpus_into_a_new_store_gives_the_same_dumps(
    corpus_store: GraphStore, reloaded_corpus: GraphStore, fmt: str
) -> None:
    assert dump_bytes(reloaded_corpus, fmt) == dump_bytes(corpus_store, fmt)
    assert etag(reloaded_corpus, fmt, False) == etag(corpus_store, fmt, False)


@pytest.fixture(scope="module")
def reloaded_corpus(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The corpus loaded again, into a new store, newest digest first."""
    store = GraphStore(tmp_path_factory.mktemp("reloaded") / "store")
    report = pipeline.run(sorted(CORPUS.glob("*.txt"), reverse=True), store)
    assert report.ok
    return store


# -- content ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt")])
def test_union_dumps_hold_each_triple_once_and_each_subject_in_one_place(
    two_stores: tuple[GraphStore, GraphStore], fmt: str, rdflib_format: str
) -> None:
    store, _ = two_stores
    quads = all_quads(store)
    distinct = {(q.subject, q.predicate, q.object) for q in quads}
    assert len(distinct) < len(quads)  # the shared triples are there
    groups = list(statement_groups(store, fmt))
    triples = [(t.subject, t.predicate, t.object) for group in groups for t in group]
    assert len(triples) == len(distinct) and set(triples) == distinct
    subjects = [group[0].subject for group in groups]
    assert len(subjects) == len(set(subjects))
    assert all(t.subject == group[0].subject for group in groups for t in group)
    parsed = Graph().parse(data=dump_bytes(store, fmt), format=rdflib_format)
    assert len(parsed) == len(distinct)


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("trig", "trig")])
def test_a_subject_larger_than_a_batch_is_written_in_pieces_each_triple_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, rdflib_format: str
) -> None:
    """Memory is bounded by a batch, not by the largest subject (which grows with the store:
    an actor is mentioned in every digest that names it)."""
    monkeypatch.setattr(dumps, "BATCH", 10)
    s, p = ox.NamedNode(EX + "actor"), ox.NamedNode(EX + "mentionedIn")
    graphs = [ox.DefaultGraph(), ox.NamedNode(str(GRAPH_1)), ox.NamedNode(str(REGISTRY_GRAPH))]
    objects = [ox.NamedNode(f"{EX}digest/{n}") for n in range(25)]
    store = store_from(
        tmp_path / "store", [ox.Quad(s, p, o, g) for o in objects for g in graphs], 1
    )
    groups = list(statement_groups(store, fmt))
    assert max(len(group) for group in groups) <= 10, "a group holds more than a batch"
    if fmt == "ttl":
        assert sorted(str(t.object) for group in groups for t in group) == sorted(map(str, objects))
    parsed = Dataset().parse(data=dump_bytes(store, fmt), format=rdflib_format)
    assert len(set(parsed.triples((None, None, None)))) == len(objects)


def test_dataset_dumps_hold_every_quad_in_index_order(
    two_stores: tuple[GraphStore, GraphStore],
) -> None:
    store, _ = two_stores
    lines = dump_bytes(store, "nq").decode().splitlines()
    assert lines == [f"{q} ." for q in all_quads(store)]


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("ttl", "turtle"), ("nt", "nt"), ("trig", "trig"), ("nq", "nquads")],
)
def test_every_batch_is_well_formed_and_prefixes_come_once(
    corpus_store: GraphStore,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str,
    rdflib_format: str,
) -> None:
    monkeypatch.setattr(dumps, "BATCH", 50)  # graphs and the union span many batches
    chunks = list(serialize(statement_groups(corpus_store, fmt), fmt))
    assert len(chunks) > 20
    whole = b"".join(chunks)
    header = b"".join(line for line in whole.splitlines(keepends=True)[:40] if b"@prefix" in line)
    assert whole.count(b"@prefix vox:") == (1 if fmt in ("ttl", "trig") else 0)
    for chunk in chunks:  # each batch parses on its own (given the prefixes)
        Dataset().parse(data=header + chunk, format=rdflib_format)
    expected = Dataset()
    expected.parse(data=dump_bytes(corpus_store, "nq"), format="nquads")
    if fmt in ("trig", "nq"):
        parsed = Dataset()
        parsed.parse(data=whole, format=rdflib_format)
        for name in (REGISTRY_GRAPH, ONTOLOGY_GRAPH, GRAPH["digest/2022-11-04"]):
            assert isomorphic(parsed.graph(name), expected.graph(name))
    else:
        union = Graph()
        for quad in expected.quads((None, None, None, None)):
            union.add(quad[:3])
        assert isomorphic(Graph().parse(data=whole, format=rdflib_format), union)


@pytest.mark.parametrize(("fmt", "graph"), [("nq", None), ("nt", DIGEST_GRAPH)])
def test_oxigraphs_own_dump_writes_the_same_bytes_as_the_batches(
    corpus_store: GraphStore, monkeypatch: pytest.MonkeyPatch, fmt: str, graph: str | None
) -> None:
    monkeypatch.setattr(dumps, "CHUNK_BYTES", 4096)  # many chunks through the queue
    native = list(dumps.native_dump(corpus_store, fmt, graph))
    assert len(native) > 10
    batches = b"".join(serialize(statement_groups(corpus_store, fmt, graph), fmt))
    assert b"".join(native) == batches
    assert dump_bytes(corpus_store, fmt, graph) == batches


def test_an_abandoned_native_dump_stops_its_thread(
    corpus_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dumps, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(dumps, "CHUNKS_AHEAD", 1)
    before = {t for t in threading.enumerate() if t.name == "dump"}
    download = dumps.native_dump(corpus_store, "nq")
    assert next(download)
    download.close()  # what waitress does when the client goes away
    deadline = time.monotonic() + 10
    while {t for t in threading.enumerate() if t.name == "dump"} - before:
        assert time.monotonic() < deadline, "the dump thread is still writing for nobody"
        time.sleep(0.05)


def test_one_graphs_union_formats_hold_that_graph(tmp_path: Path) -> None:
    store = make_sample_store(tmp_path / "store")
    for fmt, rdflib_format in (("ttl", "turtle"), ("nt", "nt")):
        data = dump_bytes(store, fmt, str(GRAPH_1))
        assert isomorphic(Graph().parse(data=data, format=rdflib_format), sample_graph(GRAPH_1))
    whole = Graph().parse(data=dump_bytes(store, "ttl"), format="turtle")
    assert isomorphic(whole, union_graph())


def test_an_in_memory_store_is_sorted_instead(corpus_quads: list[ox.Quad]) -> None:
    """Its iteration order differs between instances, so it takes the sorted path."""
    first, second = GraphStore(), GraphStore()
    first.ox.extend(corpus_quads)
    second.ox.extend(reversed(corpus_quads))
    for fmt in FORMATS:
        assert dump_bytes(first, fmt) == dump_bytes(second, fmt)
        assert etag(first, fmt, False) == etag(second, fmt, False)
    lines = dump_bytes(first, "nt").decode().splitlines()
    assert lines == sorted(set(lines))


def test_gzip_is_the_plain_dump_compressed(corpus_store: GraphStore) -> None:
    plain = dump_bytes(corpus_store, "trig")
    compressed = b"".join(dumps.gzipped(serialize(statement_groups(corpus_store, "trig"), "trig")))
    assert gzip.decompress(compressed) == plain


# -- ETag ---------------------------------------------------------------------------------


def test_etag_changes_when_one_digest_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store = GraphStore(tmp_path / "store")
    assert pipeline.run([corpus], store).ok
    other_graph = str(GRAPH["digest/2023-10-03"])
    before = {fmt: etag(store, fmt, False) for fmt in FORMATS}
    before_graphs = (
        etag(store, "trig", False, DIGEST_GRAPH),
        etag(store, "trig", False, other_graph),
    )
    assert len(set(before.values())) == len(FORMATS)  # each format its own
    assert etag(store, "nq", True) != before["nq"]  # and gzip too

    digest = corpus / "2022-11-04.txt"
    text = digest.read_text(encoding="utf-8")
    digest.write_text(text.replace("Ganja Court of Appeals", "Ganja Appeals Court", 1), "utf-8")
    report = pipeline.run([corpus], store)
    assert report.ok and report.loaded == [str(digest)]

    assert all(etag(store, fmt, False) != before[fmt] for fmt in FORMATS)
    assert etag(store, "trig", False, DIGEST_GRAPH) != before_graphs[0]
    assert etag(store, "trig", False, other_graph) == before_graphs[1]  # that one is unchanged


def test_etag_changes_when_a_graph_without_fingerprint_changes(tmp_path: Path) -> None:
    store = make_sample_store(tmp_path / "store")
    before = etag(store, "nq", False), etag(store, "nq", False, str(GRAPH_1))
    graph = sample_graph(GRAPH_1)
    graph.remove(next(iter(graph)))
    store.replace_graph(GRAPH_1, graph)
    assert etag(store, "nq", False) != before[0]
    assert etag(store, "nq", False, str(GRAPH_1)) != before[1]
    store.ox.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("x")))
    after = etag(store, "nq", False)
    assert after != before[0]  # the default graph counts too


def test_conditional_requests_do_not_read_the_data(
    corpus_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = create_app(corpus_store).test_client()
    response = client.get("/dump.nq.gz")
    assert response.status_code == 200
    tag = response.headers["ETag"]
    graph_path = "/graph/digest/2022-11-04.ttl"
    graph_tag = client.get(graph_path).headers["ETag"]

    def unread(*args: object) -> None:
        raise AssertionError("a 304 must not read the quads")

    monkeypatch.setattr(dumps, "statement_groups", unread)
    assert client.get("/dump.nq.gz", headers={"If-None-Match": tag}).status_code == 304
    assert client.get(graph_path, headers={"If-None-Match": graph_tag}).status_code == 304
