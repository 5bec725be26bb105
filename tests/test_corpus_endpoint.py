"""End to end: the bundled digests, loaded into a store on disk, served by
waitress on a real port, queried by real SPARQL clients. Expected answers come
from reading the digests."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, POST, SPARQLWrapper

from tests.conftest import on_virtuoso
from tests.server_fixtures import serving_store
from tests.test_example_queries import as_numbers
from voxgraph.iris import PREFIXES
from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.examples import QUERIES, Example, load_examples

EXAMPLES = load_examples()
PREFIX_LINES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


@pytest.fixture(scope="module")
def endpoint(each_corpus_store: Store) -> Iterator[str]:
    """The endpoint over the corpus, on the embedded store and then on the remote one."""
    with serving_store(each_corpus_store) as url:
        yield url + "/sparql"


def select(endpoint: str, query: str) -> list[dict[str, str]]:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PREFIX_LINES + query)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]
    return [{name: cell["value"] for name, cell in row.items()} for row in bindings]


def test_the_five_publication_dates(endpoint: str) -> None:
    rows = select(endpoint, "SELECT ?date { ?d a vox:Digest ; dcterms:date ?date } ORDER BY ?date")
    assert [r["date"] for r in rows] == [
        "2022-11-04",
        "2022-11-08",
        "2023-09-22",
        "2023-09-26",
        "2023-10-03",
    ]


def test_ali_karimli_is_quoted_in_three_digests(endpoint: str) -> None:
    rows = select(
        endpoint,
        """SELECT DISTINCT ?date {
             ?s vox:speaker/rdfs:label "Ali Karimli"@en ; vox:reportedIn/dcterms:date ?date
           } ORDER BY ?date""",
    )
    assert [r["date"] for r in rows] == ["2022-11-04", "2022-11-08", "2023-10-03"]


def test_the_thirty_day_detentions_of_september_2023(endpoint: str) -> None:
    # 2023-09-22: "activists Nemat Abbasov, Amrah Tahmazov, and former diplomat
    # Emin Shaig Ibrahimov were all detained for a period of 30 days": custody, an
    # Arrest with its length (issue 13, ontology vox:Arrest)
    rows = select(
        endpoint,
        """SELECT DISTINCT ?name {
             ?e a vox:Arrest ; vox:duration "P30D"^^xsd:duration ;
                vox:reportedIn/dcterms:date "2023-09-22"^^xsd:date ;
                vox:affected/rdfs:label ?name
           } ORDER BY ?name""",
    )
    assert [r["name"] for r in rows] == ["Amrah Tahmazov", "Emin Shaig Ibrahimov", "Nemat Abbasov"]


def test_every_evidence_span_matches_the_digest_text(endpoint: str) -> None:
    rows = select(
        endpoint,
        """SELECT (COUNT(*) AS ?n)
                  (SUM(IF(?anchor = SUBSTR(?text, ?b + 1, ?e - ?b), 1, 0)) AS ?ok) {
             ?span nif:referenceContext ?d ; nif:beginIndex ?b ; nif:endIndex ?e ;
                   nif:anchorOf ?anchor .
             ?d vox:text ?text
           }""",
    )
    assert int(rows[0]["n"]) > 100, "the mappers should leave evidence for every fact"
    assert rows[0]["ok"] == rows[0]["n"], "some evidence text differs from its offsets"


def test_rdflib_sparqlstore_reads_the_sections(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint))
    rows = graph.query(
        PREFIX_LINES
        + """SELECT ?title { <https://w3id.org/voxgraph/id/digest/2023-09-26> vox:section ?s .
                             ?s dcterms:title ?title ; vox:position ?n } ORDER BY ?n"""
    )
    assert [str(r.title) for r in rows] == [
        "(Lack of ) Human Rights and Freedoms",
        "The Situation in Karabakh",
    ]


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("example", [e for e in EXAMPLES if not e.federated], ids=lambda e: e.slug)
def test_an_example_runs_as_written_without_prefix_lines(
    endpoint: str, each_corpus_store: Store, method: str, example: Example
) -> None:
    """/sparql predeclares the project's prefixes, as the Wikidata Query Service does: the
    library's queries (which have no PREFIX lines) run as they are."""
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(example.body)
    client.setReturnFormat(CSV)
    got = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    expected = (QUERIES / f"{example.slug}.expected.csv").read_text(encoding="utf-8")
    wanted = list(csv.reader(io.StringIO(expected)))
    if on_virtuoso(each_corpus_store):  # it keeps an xsd:duration as a number (README)
        got, wanted = as_numbers(got), as_numbers(wanted)
    assert got == wanted


@pytest.mark.parametrize("method", [GET, POST])
def test_a_query_s_own_prefix_wins_over_the_predeclared_one(endpoint: str, method: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery("PREFIX vox: <http://example.org/mine#> SELECT ?c { BIND(vox:Arrest AS ?c) }")
    client.setReturnFormat(JSON)
    (row,) = client.queryAndConvert()["results"]["bindings"]
    assert row["c"]["value"] == "http://example.org/mine#Arrest"


def test_an_undeclared_prefix_is_still_an_error_at_its_own_position(
    corpus_store: GraphStore,
) -> None:
    """On the embedded store (a remote store adds a BASE of its own to line 1)."""
    query = "SELECT * { ?s nope:p ?o }"
    with pytest.raises(SyntaxError) as direct:  # what Oxigraph says of the query alone
        ox.Store().query(query)
    position = str(direct.value).split(":", 2)[:2]  # "error at 1:21"
    with serving_store(corpus_store) as url:
        answer = requests.get(url + "/sparql", params={"query": query}, timeout=30)
    assert answer.status_code == 400
    assert ":".join(position) in answer.text, (
        f"positions count from the query's start: {answer.text}"
    )
