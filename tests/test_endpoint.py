"""The SPARQL 1.1 Protocol at /sparql, spoken to by real clients over HTTP."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from tests.server_fixtures import (
    ACTOR,
    DIGEST_1,
    DIGEST_2,
    GRAPH_1,
    GRAPH_2,
    sample_graph,
    serving_store,
    union_graph,
)
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.settings import Settings

pytest_plugins = ["tests.server_fixtures"]

PREFIXES = (
    "PREFIX vox: <https://w3id.org/voxgraph/ontology#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
)
DATES = (
    PREFIXES
    + "SELECT ?digest ?date WHERE { ?digest a vox:Digest ; dcterms:date ?date } ORDER BY ?date"
)
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
SRX = "{http://www.w3.org/2005/sparql-results#}"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


def json_values(response: requests.Response, variable: str) -> list[str]:
    assert response.status_code == 200, response.text
    return [row[variable]["value"] for row in response.json()["results"]["bindings"]]


def store_snapshot(store: GraphStore) -> list[str]:
    return [str(quad) for quad in store.quads()]


# -- the three ways to send a query ---------------------------------------------


def test_get_query(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": DATES})
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert json_values(response, "date") == ["2022-11-04", "2022-11-05"]


def test_post_form_query(sparql_url: str) -> None:
    response = requests.post(sparql_url, data={"query": DATES})
    assert json_values(response, "digest") == [str(DIGEST_1), str(DIGEST_2)]


def test_post_direct_query(sparql_url: str) -> None:
    response = requests.post(
        sparql_url,
        data=DATES.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert json_values(response, "date") == ["2022-11-04", "2022-11-05"]


def test_post_without_query_is_a_bad_request(sparql_url: str) -> None:
    response = requests.post(sparql_url, data={"nothing": "here"})
    assert response.status_code == 400
    assert "missing query" in response.text


def test_post_with_another_body_is_unsupported(sparql_url: str) -> None:
    response = requests.post(sparql_url, data=DATES, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


# -- result formats ---------------------------------------------------------------


def parse_results(media_type: str, body: bytes) -> list[str]:
    """The ?date column of an answer in `media_type`."""
    text = body.decode()
    if media_type == "application/sparql-results+json":
        return [row["date"]["value"] for row in json.loads(text)["results"]["bindings"]]
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(text)
        return [
            binding.find(f"{SRX}literal").text
            for binding in root.iter(f"{SRX}binding")
            if binding.get("name") == "date"
        ]
    if media_type == "text/csv":
        return [row["date"] for row in csv.DictReader(io.StringIO(text))]
    # TSV holds RDF terms: "2022-11-04"^^<http://www.w3.org/2001/XMLSchema#date>
    rows = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    return [row["?date"].split('"')[1] for row in rows]


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_select_in_each_results_format(sparql_url: str, media_type: str) -> None:
    response = requests.get(sparql_url, params={"query": DATES}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert parse_results(media_type, response.content) == ["2022-11-04", "2022-11-05"]


@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_in_each_graph_format(
    sparql_url: str, media_type: str, rdflib_format: str
) -> None:
    response = requests.get(
        sparql_url, params={"query": EVERYTHING}, headers={"Accept": media_type}
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    parsed = Graph().parse(data=response.content, format=rdflib_format)
    assert isomorphic(parsed, union_graph())


def test_construct_defaults_to_turtle(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": EVERYTHING})
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert isomorphic(Graph().parse(data=response.text, format="turtle"), union_graph())


def test_accept_q_values_are_honoured(sparql_url: str) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    response = requests.get(sparql_url, params={"query": DATES}, headers={"Accept": accept})
    assert response.headers["Content-Type"] == "application/sparql-results+xml"


def test_accept_anything_gives_the_default(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": DATES}, headers={"Accept": "*/*"})
    assert response.headers["Content-Type"] == "application/sparql-results+json"


def test_nothing_acceptable_is_406(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": DATES}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text


@pytest.mark.parametrize(
    ("query", "format_name", "media_type"),
    [
        (DATES, "csv", "text/csv"),
        (DATES, "xml", "application/sparql-results+xml"),
        (EVERYTHING, "nt", "application/n-triples"),
        (EVERYTHING, "jsonld", "application/ld+json"),
        (EVERYTHING, "xml", "application/rdf+xml"),
    ],
)
def test_format_parameter_wins_over_accept(
    sparql_url: str, query: str, format_name: str, media_type: str
) -> None:
    response = requests.get(
        sparql_url,
        params={"query": query, "format": format_name},
        headers={"Accept": "application/sparql-results+json, text/turtle"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type


def test_format_that_does_not_fit_the_query_is_406(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": EVERYTHING, "format": "csv"})
    assert response.status_code == 406


def test_ask(sparql_url: str) -> None:
    query = PREFIXES + "ASK { ?d a vox:Digest }"
    assert requests.get(sparql_url, params={"query": query}).json()["boolean"] is True


# -- real clients ---------------------------------------------------------------------


@pytest.mark.parametrize("return_format", [JSON, XML, CSV])
def test_sparqlwrapper_select(sparql_url: str, return_format: str) -> None:
    client = SPARQLWrapper(sparql_url)
    client.setQuery(DATES)
    client.setReturnFormat(return_format)
    converted = client.query().convert()
    if return_format == JSON:
        dates = [row["date"]["value"] for row in converted["results"]["bindings"]]
    elif return_format == XML:
        dates = [node.firstChild.data for node in converted.getElementsByTagName("literal")]
    else:
        dates = [row["date"] for row in csv.DictReader(io.StringIO(converted.decode()))]
    assert dates == ["2022-11-04", "2022-11-05"]


def test_sparqlwrapper_post_construct(sparql_url: str) -> None:
    client = SPARQLWrapper(sparql_url)
    client.setMethod("POST")
    client.setQuery(EVERYTHING)
    client.setReturnFormat(TURTLE)
    assert isomorphic(Graph().parse(data=client.query().convert(), format="turtle"), union_graph())


def test_sparqlwrapper_ask(sparql_url: str) -> None:
    client = SPARQLWrapper(sparql_url)
    client.setQuery(PREFIXES + "ASK { ?d a vox:Digest }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


def test_rdflib_sparqlstore(sparql_url: str) -> None:
    graph = Graph(SPARQLStore(sparql_url, returnFormat="json"))
    rows = graph.query(DATES)
    assert [str(row.date) for row in rows] == ["2022-11-04", "2022-11-05"]
    assert set(graph) == set(union_graph())
    assert (ACTOR, None, None) in graph


def test_rdflib_sparqlstore_construct_and_ask(sparql_url: str) -> None:
    graph = Graph(SPARQLStore(sparql_url))
    assert isomorphic(graph.query(EVERYTHING).graph, union_graph())
    assert graph.query(PREFIXES + "ASK { ?d a vox:Digest }").askAnswer is True


# -- the dataset -------------------------------------------------------------------


def test_default_graph_is_the_union(sparql_url: str) -> None:
    query = PREFIXES + "SELECT ?digest WHERE { ?actor vox:mentionedIn ?digest } ORDER BY ?digest"
    response = requests.get(sparql_url, params={"query": query})
    assert json_values(response, "digest") == [str(DIGEST_1), str(DIGEST_2)]


def test_default_graph_uri_restricts_the_default_graph(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": DATES, "default-graph-uri": str(GRAPH_2)})
    assert json_values(response, "digest") == [str(DIGEST_2)]


def test_several_default_graph_uris_merge(sparql_url: str) -> None:
    response = requests.post(
        sparql_url, data={"query": DATES, "default-graph-uri": [str(GRAPH_1), str(GRAPH_2)]}
    )
    assert json_values(response, "digest") == [str(DIGEST_1), str(DIGEST_2)]


def test_named_graph_uri_limits_graph_patterns(sparql_url: str) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    everything = requests.get(sparql_url, params={"query": query})
    assert sorted(json_values(everything, "g")) == [str(GRAPH_1), str(GRAPH_2)]
    one = requests.get(sparql_url, params={"query": query, "named-graph-uri": str(GRAPH_1)})
    assert json_values(one, "g") == [str(GRAPH_1)]


def test_named_graph_content(sparql_url: str) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_2}> {{ ?s ?p ?o }} }}"
    response = requests.get(sparql_url, params={"query": query, "format": "nt"})
    assert isomorphic(Graph().parse(data=response.text, format="nt"), sample_graph(GRAPH_2))


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize(
    "iri", ["file:///etc/passwd", "FILE:///etc/passwd", "ftp://example.org/g", "/etc/passwd"]
)
def test_graph_iris_other_than_http_https_urn_are_refused(
    sparql_url: str, parameter: str, iri: str
) -> None:
    response = requests.get(sparql_url, params={"query": DATES, parameter: iri})
    assert response.status_code == 400
    assert "http, https or urn" in response.text
    assert "nothing is ever fetched" in response.text


def test_urn_graph_iri_is_accepted(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": DATES, "default-graph-uri": "urn:x:none"})
    assert json_values(response, "date") == []


# -- errors ------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parser_message(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "malformed query" in response.text
    assert "1:" in response.text  # the parser says where


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(
            lambda url: requests.get(url, params={"update": "CLEAR ALL"}), id="GET update="
        ),
        pytest.param(
            lambda url: requests.post(url, data={"update": "CLEAR ALL"}), id="POST update="
        ),
        pytest.param(
            lambda url: requests.post(
                url,
                data="DROP ALL",
                headers={"Content-Type": "application/sparql-update"},
            ),
            id="application/sparql-update",
        ),
        pytest.param(
            lambda url: requests.get(
                url, params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}
            ),
            id="INSERT DATA as query=",
        ),
        pytest.param(
            lambda url: requests.post(url, data={"query": "LOAD <file:///etc/passwd>"}),
            id="LOAD file as query=",
        ),
        pytest.param(
            lambda url: requests.post(
                url,
                data="PREFIX x: <urn:x:>\n# comment\ndelete where { ?s ?p ?o }",
                headers={"Content-Type": "application/sparql-query"},
            ),
            id="DELETE WHERE as a query body",
        ),
        pytest.param(
            lambda url: requests.get(url, params={"query": "\\u0044ROP ALL"}),
            id="escaped DROP as query=",
        ),
    ],
)
def test_updates_are_refused_and_change_nothing(
    sparql_url: str, sample_store: GraphStore, send
) -> None:
    before = store_snapshot(sample_store)
    response = send(sparql_url)
    assert response.status_code == 403
    assert READ_ONLY in response.text
    assert store_snapshot(sample_store) == before


def test_update_hidden_from_the_detector_still_fails(
    sparql_url: str, sample_store: GraphStore
) -> None:
    """The detector is only for the message: Store.query cannot run an update at all."""
    before = store_snapshot(sample_store)
    query = "\u2028INSERT DATA { <urn:a> <urn:b> <urn:c> }"  # a line separator the detector skips
    response = requests.get(sparql_url, params={"query": query})
    assert response.status_code == 400
    assert store_snapshot(sample_store) == before


# -- service description, CORS -----------------------------------------------------


def test_bare_get_answers_with_a_service_description(sparql_url: str) -> None:
    response = requests.get(sparql_url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    description = Graph().parse(data=response.text, format="turtle")
    service = URIRef(sparql_url)
    assert (service, SD.endpoint, service) in description
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description
    assert (service, SD.feature, SD.UnionDefaultGraph) in description
    names = set(description.objects(None, SD.name))
    assert names == {GRAPH_1, GRAPH_2}


def test_cors_header(sparql_url: str) -> None:
    response = requests.get(sparql_url, params={"query": DATES})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(sparql_url: str) -> None:
    response = requests.options(
        sparql_url,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


# -- limits ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_limits_url(sample_store: GraphStore):
    with serving_store(sample_store, Settings(max_query_length=500, max_body_bytes=2_000)) as url:
        yield url + "/sparql"


def test_query_longer_than_the_limit_is_refused(small_limits_url: str) -> None:
    query = DATES + " #" + "x" * 600
    response = requests.get(small_limits_url, params={"query": query})
    assert response.status_code == 413
    assert "longer than 500 characters" in response.text


@pytest.mark.parametrize("content_type", ["application/sparql-query", None])
def test_body_larger_than_the_limit_is_refused(small_limits_url: str, content_type) -> None:
    body = DATES + " #" + "x" * 5_000
    if content_type:
        response = requests.post(
            small_limits_url, data=body, headers={"Content-Type": content_type}
        )
    else:
        response = requests.post(small_limits_url, data={"query": body})
    assert response.status_code == 413


def test_deep_nesting_is_refused_and_the_server_lives_on(sparql_url: str) -> None:
    query = "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000
    response = requests.post(sparql_url, data={"query": query})
    assert response.status_code == 400
    assert "nests" in response.text
    assert requests.get(sparql_url, params={"query": DATES}).status_code == 200


def test_long_flat_query_runs_without_crashing_the_server(sparql_url: str) -> None:
    """3,000 BINDs overflow an 8 MiB thread stack in oxigraph; the workers have more."""
    binds = " ".join(f"BIND({i} AS ?x{i})" for i in range(3_000))
    response = requests.post(sparql_url, data={"query": f"SELECT ?x7 WHERE {{ {binds} }}"})
    assert json_values(response, "x7") == ["7"]
