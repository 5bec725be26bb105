"""End to end: the bundled digests, loaded into a store on disk, served by
waitress on a real port, queried by real SPARQL clients. Expected answers come
from reading the digests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.conftest import AnyStore
from tests.server_fixtures import serving_store
from voxgraph.iris import PREFIXES

PREFIX_LINES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


@pytest.fixture(scope="module")
def endpoint(each_corpus_store: AnyStore) -> Iterator[str]:
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
