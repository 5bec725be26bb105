"""What is stored is what was validated: the data a user downloads conforms to the published shapes.

Oxigraph keeps typed literals by value and writes them back in a canonical form
(loader/literals.py). These tests load the bundled corpus with the real
`voxgraph load`, dump it with `voxgraph dump` and the server's /dump.nt, and
validate the dump against shapes/ with pySHACL; then they check, datatype by
datatype, that the store keeps what the mapper writes and that the loader
refuses what the store would rewrite.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyshacl
import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef

from tests.server_fixtures import serving
from voxgraph import iris
from voxgraph.iris import NIF, PREFIXES
from voxgraph.loader.extract.event_lexicon import load_lexicon
from voxgraph.loader.literals import canonical_decimal, canonical_duration
from voxgraph.loader.pipeline import prepare
from voxgraph.loader.registry import Link, Registry, Source, add_link
from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import (
    GraphStore,
    StoreFormError,
    check_stored_form,
    graph_as_ntriples,
    latest_snapshot,
)
from voxgraph.paths import CORPUS, SHAPES
from voxgraph.server.app import create_app
from voxgraph.server.settings import Settings

XSD = Namespace(PREFIXES["xsd"])  # a plain Namespace: pytest probes module attributes
VOXGRAPH = [sys.executable, "-m", "voxgraph.cli"]
SUBJECT = "<https://example.org/s>"
PREDICATE = "<https://example.org/p>"


def voxgraph(*args: str) -> str:
    """Run the `voxgraph` command as a user would; its output, or a failure that shows it."""
    done = subprocess.run([*VOXGRAPH, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"voxgraph {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def shape_violations(data: Graph) -> str:
    """pySHACL's report on `data` against the published shapes; '' if it conforms."""
    conforms, _, text = pyshacl.validate(data, shacl_graph=Graph().parse(SHAPES))
    return "" if conforms else text


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus loaded by `voxgraph load` into a new store on disk."""
    store = tmp_path_factory.mktemp("stored-form") / "store"
    voxgraph("load", str(CORPUS), "--store", str(store), "--no-progress", "--jobs", "1")
    return store


@pytest.fixture(scope="module")
def dumped(loaded_store: Path) -> Graph:
    """`voxgraph dump -o corpus.ttl` of that store, parsed."""
    dump = loaded_store.parent / "corpus.ttl"
    voxgraph("dump", "-o", str(dump), "--store", str(loaded_store))
    return Graph().parse(dump)


# -- the whole corpus, as a user downloads it ------------------------------------------


def test_the_dump_of_the_bundled_corpus_conforms_to_the_published_shapes(dumped: Graph) -> None:
    offsets = list(dumped.objects(None, NIF.beginIndex))
    assert len(offsets) > 200, "the dump holds too few evidence spans to be the whole corpus"
    assert {o.datatype for o in offsets} == {XSD.integer}
    report = shape_violations(dumped)
    assert not report, f"the dump of the bundled corpus breaks shapes/:\n{report[:3000]}"


def test_the_servers_dump_holds_the_same_triples(loaded_store: Path, dumped: Graph) -> None:
    snapshot = latest_snapshot(loaded_store)
    assert snapshot is not None, "voxgraph load published no snapshot"
    settings = Settings(workers=0)
    with serving(create_app(GraphStore(snapshot, read_only=True), settings), settings) as url:
        response = requests.get(url + "/dump.nt", timeout=60)
    assert response.status_code == 200, response.text
    served = Graph().parse(data=response.text, format="nt")
    assert set(served) == set(dumped), (
        f"/dump.nt and `voxgraph dump` differ: {len(set(served) ^ set(dumped))} triples"
    )


@pytest.mark.parametrize("backend", ["embedded", "remote"])
def test_each_stored_graph_is_the_graph_that_was_validated(
    backend: str, request: pytest.FixtureRequest
) -> None:
    store: Store = request.getfixturevalue(
        "corpus_store" if backend == "embedded" else "remote_corpus_store"
    )
    registry = Registry.load()
    for path in sorted(CORPUS.glob("*.txt")):
        mapped = prepare(path, registry)
        validated = set(graph_as_ntriples(mapped.graph).splitlines())
        stored = {f"{q.triple} ." for q in store.quads(str(iris.digest_graph(mapped.key)))}
        assert stored == validated, (
            f"{path.name}: stored but not validated: {sorted(stored - validated)[:3]}; "
            f"validated but not stored: {sorted(validated - stored)[:3]}"
        )
    validated = set(graph_as_ntriples(registry.graph()).splitlines())
    stored = {f"{q.triple} ." for q in store.quads(str(iris.REGISTRY_GRAPH))}
    assert stored == validated, f"the registry graph differs: {sorted(stored ^ validated)[:3]}"


def test_a_query_written_with_nifs_own_datatype_still_finds_the_offsets(
    corpus_store: GraphStore,
) -> None:
    """vocabulary.md gives the offsets as xsd:nonNegativeInteger: the values are the same."""
    (row,) = corpus_store.query(
        f"SELECT ?span ?begin WHERE {{ ?span <{NIF.beginIndex}> ?begin }} ORDER BY ?span LIMIT 1"
    )
    begin = row["begin"].value
    asked = corpus_store.query(
        f'ASK {{ <{row["span"].value}> <{NIF.beginIndex}> "{begin}"^^<{XSD.nonNegativeInteger}> }}'
    )
    assert bool(asked), f"no span found with beginIndex {begin} as an xsd:nonNegativeInteger"


# -- datatype by datatype ---------------------------------------------------------------


def stored(tmp_path: Path, literals: list[str]) -> list[str]:
    """Each literal (N-Triples form) as a store on disk gives it back."""
    store = GraphStore(tmp_path / "store")
    name = URIRef("https://example.org/graph")
    kept = []
    for literal in literals:
        store.replace_graph(name, f"{SUBJECT} {PREDICATE} {literal} .")
        (quad,) = store.quads(str(name))
        kept.append(str(quad.object))
    return kept


def xsd(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD[datatype]}>'


# (as written, as Oxigraph keeps it): found by trying, see loader/literals.py.
REWRITTEN = [
    (xsd("7495", "nonNegativeInteger"), xsd("7495", "integer")),
    (xsd("12", "int"), xsd("12", "integer")),
    (xsd("+05", "integer"), xsd("5", "integer")),
    (xsd("P18M", "duration"), xsd("P1Y6M", "duration")),
    (xsd("P12M", "duration"), xsd("P1Y", "duration")),
    (xsd("PT48H", "duration"), xsd("P2D", "duration")),
    (xsd("0.90", "decimal"), xsd("0.9", "decimal")),
    (xsd("1.0", "decimal"), xsd("1", "decimal")),
    (xsd("1", "boolean"), xsd("true", "boolean")),
    (xsd("1E3", "double"), xsd("1000", "double")),
    (xsd("2022-11-04+00:00", "date"), xsd("2022-11-04Z", "date")),
    ('"Baku"@en-GB', '"Baku"@en-gb'),
]
# The forms the mapper and the registry write, which the store keeps.
KEPT = [
    xsd("7495", "integer"),
    xsd("P30D", "duration"),
    xsd("P14D", "duration"),
    xsd("P1Y6M", "duration"),
    xsd("0.9", "decimal"),
    xsd("1", "decimal"),
    xsd("true", "boolean"),
    xsd("2022-11-04", "date"),
    '"Ali Karimli"@en',
    '"plain text"',
]


def test_the_store_rewrites_these_literals(tmp_path: Path) -> None:
    """Why the mapper cannot write them so: the store would not give them back."""
    written = [before for before, _ in REWRITTEN]
    assert stored(tmp_path, written) == [after for _, after in REWRITTEN]


def test_the_store_keeps_the_forms_voxgraph_writes(tmp_path: Path) -> None:
    assert stored(tmp_path, KEPT) == KEPT


@pytest.mark.parametrize(("written", "kept"), REWRITTEN, ids=[w for w, _ in REWRITTEN])
def test_the_loader_refuses_a_triple_the_store_would_rewrite(written: str, kept: str) -> None:
    with pytest.raises(StoreFormError) as refused:
        check_stored_form(f"{SUBJECT} {PREDICATE} {written} .", "notes.txt (2022-11-04)")
    assert str(refused.value) == (
        "notes.txt (2022-11-04): the store would not keep 1 triple(s) as validated:\n"
        f"  {SUBJECT} {PREDICATE} {written} .\n  would be stored as\n"
        f"  {SUBJECT} {PREDICATE} {kept} ."
    )


def test_every_duration_the_event_lexicon_can_write_is_kept() -> None:
    lexicon = load_lexicon()
    written = [
        xsd(canonical_duration(lexicon.xsd_duration(number, unit)), "duration")
        for unit in lexicon.durations
        for number in range(1, 41)
    ]
    check_stored_form("\n".join(f"{SUBJECT} {PREDICATE} {w} ." for w in written), "durations")
    assert "P1Y6M" in canonical_duration(lexicon.xsd_duration(18, "months"))


def test_durations_and_decimals_take_the_stores_form(tmp_path: Path) -> None:
    durations = ["P18M", "P24M", "PT36H", "PT90M", "P0D", "-P18M", "PT1.50S", "P1DT0H"]
    decimals = ["0.90", "1.00", "0.00", "-0.50", "12.340", ".5"]
    ours = [xsd(canonical_duration(d), "duration") for d in durations]
    ours += [xsd(canonical_decimal(d), "decimal") for d in decimals]
    theirs = [xsd(d, "duration") for d in durations] + [xsd(d, "decimal") for d in decimals]
    assert ours == stored(tmp_path, theirs)


def test_a_scored_wikidata_candidate_is_written_as_the_store_keeps_it() -> None:
    g = Graph()
    actor = iris.actor_iri("someone")
    page = Source(url="https://example.org/someone", row="Q1")
    add_link(g, actor, Link("Q1", "unverified", page, "2026-01-01", score=0.9))
    (score,) = [o for o in g.objects(actor) if isinstance(o, Literal)]
    assert score == Literal("0.9", datatype=XSD.decimal)
    check_stored_form(graph_as_ntriples(g), "registry")
