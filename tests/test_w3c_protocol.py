"""The W3C SPARQL 1.1 Protocol test suite, run against the endpoint on a real port.

The manifest is read from ../shared/w3c/sparql11-protocol-manifest.ttl beside the
checkout (w3c/rdf-tests, sparql/sparql11/protocol; see ../shared/w3c/README.md).
Every entry is one or more HTTP requests with the status class, result format and
ASK answer expected. This runner sends each request as written, with the
manifest's `/sparql/` path prefix replaced by the endpoint's `/sparql`, to
`voxgraph serve`'s app over a snapshot on disk (queries in the worker process)
and over the remote backend (`oxigraph serve`).

Every query test must pass. The update tests (`update_*`, `bad_update*`) ask for
SPARQL Update, which this endpoint refuses by design: for them the runner checks
that each update request is refused (403 with the read-only message; 4xx for
requests that are not well-formed updates either) and that the queries that
follow find nothing written.

The data: the dataset tests name three graphs (`ut:graphData`, labelled
http://kasei.us/2009/09/sparql/data/data1.rdf to data3.rdf) whose files are not
in the manifest's folder; rdf-tests describes each as one foaf:Document typing
triple. The runner takes their content from the manifest itself: what its own
update tests insert into those graphs (`INSERT DATA { GRAPH <...data1.rdf> {
<...data1.rdf> a foaf:Document } ... }`), run on a scratch store.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from tests.conftest import OxigraphServer
from tests.server_fixtures import serving
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot
from voxgraph.loader.store.remote import RemoteStore
from voxgraph.paths import ROOT
from voxgraph.server.app import create_app
from voxgraph.server.errors import READ_ONLY
from voxgraph.server.query import POOL_KEY
from voxgraph.server.settings import Settings

MANIFEST = ROOT.parent / "shared" / "w3c" / "sparql11-protocol-manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
MANIFEST_PATH_PREFIX = "/sparql/"

BOOLEAN_FORMATS = ("application/sparql-results+json", "application/sparql-results+xml")
TABULAR_FORMATS = (*BOOLEAN_FORMATS, "text/csv", "text/tab-separated-values")
RDF_FORMATS = {  # the manifest's "RDF/XML, Turtle, N-Triples, RDFa": those we write
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/n-triples": "nt",
}
SRX = "{http://www.w3.org/2005/sparql-results#}"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below the endpoint, e.g. "?query=ASK%20%7B%7D"
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]  # "2xx", "3xx", "4xx"
    result_format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    @property
    def is_update(self) -> bool:
        """An update operation as the protocol spells one (which this endpoint refuses)."""
        form = self.content_type == "application/x-www-form-urlencoded"
        return (
            self.content_type == "application/sparql-update"
            or "update=" in self.path
            or (form and self.body is not None and b"update=" in self.body)
        )


@dataclass(frozen=True)
class ProtocolTest:
    name: str  # the entry's local name, e.g. "query_post_form"
    title: str  # its mf:name
    requests: tuple[Request, ...]
    graphs: tuple[str, ...] = field(default=())  # the graphs of its ut:graphData

    @property
    def is_update_test(self) -> bool:
        return self.name.startswith(("update_", "bad_update"))


def read_manifest(path: Path = MANIFEST) -> list[ProtocolTest]:
    """Every entry of the manifest, in its order."""
    g = Graph().parse(path, format="turtle")
    (manifest,) = g.subjects(RDF.type, MF.Manifest)
    tests = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        tests.append(
            ProtocolTest(
                name=str(entry).rsplit("#", 1)[1],
                title=str(g.value(entry, MF.name)),
                requests=tuple(
                    read_request(g, r) for r in Collection(g, g.value(action, HT.requests))
                ),
                graphs=tuple(
                    sorted(str(g.value(d, RDFS.label)) for d in g.objects(entry, UT.graphData))
                ),
            )
        )
    return tests


def read_request(g: Graph, node: URIRef) -> Request:
    headers = {}
    if (listed := g.value(node, HT.headers)) is not None:
        for header in Collection(g, listed):
            headers[str(g.value(header, HT.fieldName)).lower()] = str(
                g.value(header, HT.fieldValue)
            )
    body = None
    if (content := g.value(node, HT.body)) is not None:
        encoding = str(g.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(g.value(content, CNT.chars)).encode(encoding)
    path = str(g.value(node, HT.absolutePath))
    assert path.startswith(MANIFEST_PATH_PREFIX), f"unexpected path in the manifest: {path}"
    response = g.value(node, HT.resp)
    boolean = g.value(response, MF.expectedBoolean)
    result_format = g.value(response, MF.expectedFormat)
    return Request(
        method=str(g.value(node, HT.methodName)),
        path=path.removeprefix(MANIFEST_PATH_PREFIX),
        headers=headers,
        body=body,
        statuses=frozenset(
            str(s).removeprefix(HTS).lower() for s in g.objects(response, MF.expectedStatus)
        ),
        result_format=None if result_format is None else str(result_format),
        boolean=None if boolean is None else bool(boolean.toPython()),
    )


TESTS = read_manifest() if MANIFEST.exists() else []
QUERY_TESTS = [t for t in TESTS if not t.is_update_test]
UPDATE_TESTS = [t for t in TESTS if t.is_update_test]


def graph_data(tests: list[ProtocolTest]) -> list[ox.Quad]:
    """What the manifest's update tests write into the graphs its query tests name."""
    named = {g for t in tests for g in t.graphs}
    quads: set[ox.Quad] = set()
    for request in (r for t in tests for r in t.requests):
        ok = "2xx" in request.statuses  # an update the suite expects to succeed
        if ok and request.content_type == "application/sparql-update" and request.body:
            scratch = ox.Store()
            # The manifest's server is www.example (ht:connectionAuthority).
            scratch.update(request.body.decode("utf-8"), base_iri="http://www.example/sparql/")
            quads |= {q for q in scratch if str(q.graph_name.value) in named}
    assert {q.graph_name.value for q in quads} == named, "no data found for every graph"
    return sorted(quads, key=str)


# -- the endpoint under test ---------------------------------------------------------


@pytest.fixture(scope="module", params=["embedded", "remote"])
def endpoint(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """/sparql of the app over the tests' graphs, as `voxgraph serve` runs it; its URL."""
    folder = tmp_path_factory.mktemp("w3c")
    data = graph_data(TESTS)
    settings = Settings(timeout=30.0, workers=2)
    if request.param == "embedded":
        writer = GraphStore(folder / "store")
        writer.ox.extend(data)
        writer.publish_snapshot()
        del writer  # a snapshot is served read-only, in the worker process too
        app = create_app(GraphStore(latest_snapshot(folder / "store"), read_only=True), settings)
        with serving(app, settings) as url:
            yield url + "/sparql"
        app.extensions[POOL_KEY].close()
        shutil.rmtree(folder, ignore_errors=True)
    else:
        server = OxigraphServer(folder / "oxigraph")
        remote = RemoteStore(server.url, graph_prefix="")  # the manifest's graphs are its own
        for name in sorted({q.graph_name.value for q in data}):
            lines = [f"{q.triple} ." for q in data if q.graph_name.value == name]
            remote.replace_graph(URIRef(name), "\n".join(lines))
        with serving(create_app(remote, settings), settings) as url:
            yield url + "/sparql"
        server.stop()


def send(endpoint: str, request: Request) -> requests.Response:
    """The manifest's request, as written, to `endpoint`."""
    url = endpoint + request.path
    return requests.request(
        request.method, url, headers=request.headers, data=request.body, timeout=60
    )


def status_class(response: requests.Response) -> str:
    return f"{response.status_code // 100}xx"


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def boolean_answer(response: requests.Response) -> bool:
    """The ASK answer of a SPARQL JSON or XML results document."""
    if media_type(response) == "application/sparql-results+json":
        return response.json()["boolean"]
    return ET.fromstring(response.content).find(f"{SRX}boolean").text.strip() == "true"


def check_response(test: ProtocolTest, request: Request, response: requests.Response) -> None:
    """Fails, saying what, unless `response` is what the manifest expects of `request`."""
    said = f"{test.name} ({test.title}): {request.method} /sparql{request.path[:80]} got"
    got = f"{response.status_code} {media_type(response)}: {response.text[:300]!r}"
    assert status_class(response) in request.statuses, (
        f"{said} {got}; expected {sorted(request.statuses)}"
    )
    if request.result_format == "boolean":
        assert media_type(response) in BOOLEAN_FORMATS, f"{said} {got}; expected an ASK result"
    elif request.result_format == "tabular":
        assert media_type(response) in TABULAR_FORMATS, f"{said} {got}; expected SPARQL results"
        if media_type(response) == "application/sparql-results+json":
            assert "results" in json.loads(response.text), f"{said} {got}; expected SELECT results"
    elif request.result_format == "RDF":
        assert media_type(response) in RDF_FORMATS, f"{said} {got}; expected an RDF graph"
        Graph().parse(data=response.text, format=RDF_FORMATS[media_type(response)])
    if request.boolean is not None:
        assert boolean_answer(response) is request.boolean, (
            f"{said} {got}; expected {request.boolean}"
        )


# -- the suite -----------------------------------------------------------------------


def test_the_manifest_is_beside_the_checkout() -> None:
    assert MANIFEST.exists(), (
        f"the W3C protocol manifest is expected at {MANIFEST} (../shared/w3c beside the checkout)"
    )
    assert len(TESTS) == 34 and len(QUERY_TESTS) == 21, [t.name for t in TESTS]
    assert {t.name for t in QUERY_TESTS} >= {"query_content_type_construct", "bad_multiple_queries"}


@pytest.mark.parametrize("test", QUERY_TESTS, ids=[t.name for t in QUERY_TESTS])
def test_w3c_query_test(endpoint: str, test: ProtocolTest) -> None:
    for request in test.requests:
        check_response(test, request, send(endpoint, request))


def quad_count(endpoint: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = requests.get(endpoint, params={"query": query}, timeout=60)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[t.name for t in UPDATE_TESTS])
def test_w3c_update_test_is_refused(endpoint: str, test: ProtocolTest) -> None:
    before = quad_count(endpoint)
    for request in test.requests:
        response = send(endpoint, request)
        said = f"{test.name}: {request.method} {request.path[:60]} got {response.status_code}"
        if request.is_update:
            assert response.status_code == 403, f"{said}: {response.text[:300]!r}"
            assert response.text.strip() == READ_ONLY, f"{said}: {response.text[:300]!r}"
        elif request.content_type == "application/sparql-query":
            # The query that would see the update's effect: it finds nothing.
            assert response.status_code == 200, f"{said}: {response.text[:300]!r}"
            assert boolean_answer(response) is False, f"{said}: the update was applied"
        else:  # not a well-formed update request either (no or a wrong media type)
            assert status_class(response) == "4xx", f"{said}: {response.text[:300]!r}"
    assert quad_count(endpoint) == before, f"{test.name} changed the store"


# -- what the manifest leaves open, checked the same way ---------------------------------


def test_relative_iris_resolve_against_the_endpoints_url(endpoint: str) -> None:
    """Against /sparql itself, on both backends: not the remote server's own URL."""
    origin = endpoint.removesuffix("/sparql")
    query = "CONSTRUCT { <s> <p> 1 . <#me> <../p> <?x=1> } WHERE {}"
    response = requests.post(
        endpoint,
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert set(response.text.strip().splitlines()) == {
        f'<{origin}/s> <{origin}/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        f"<{endpoint}#me> <{origin}/p> <{endpoint}?x=1> .",
    }


def test_a_base_in_the_query_comes_first(endpoint: str) -> None:
    origin = endpoint.removesuffix("/sparql")
    for base, expected in [
        ("http://example.org/data/", "http://example.org/data/s"),
        ("other/", f"{origin}/other/s"),  # relative itself: resolved against the endpoint
    ]:
        query = f"BASE <{base}> SELECT ?s WHERE {{ BIND(<s> AS ?s) }}"
        response = requests.get(endpoint, params={"query": query}, timeout=60)
        assert response.status_code == 200, response.text
        (row,) = response.json()["results"]["bindings"]
        assert row["s"]["value"] == expected, f"BASE <{base}>: {row}"


@pytest.mark.parametrize(
    ("how", "url", "body", "content_type"),
    [
        (
            "twice in a form",
            "",
            b"query=ASK%20%7B%7D&query=ASK%20%7B%7D",
            "application/x-www-form-urlencoded",
        ),
        (
            "in the URL and the form",
            "?query=ASK%20%7B%7D",
            b"query=ASK%20%7B%7D",
            "application/x-www-form-urlencoded",
        ),
        ("in the URL and the body", "?query=ASK%20%7B%7D", b"ASK {}", "application/sparql-query"),
    ],
)
def test_two_queries_in_one_request_are_a_bad_request(
    endpoint: str, how: str, url: str, body: bytes, content_type: str
) -> None:
    response = requests.post(
        endpoint + url, data=body, headers={"Content-Type": content_type}, timeout=60
    )
    assert response.status_code == 400, f"two queries {how}: {response.status_code}"
    assert response.text.startswith("2 queries in one request: send exactly one"), response.text


def test_a_query_body_in_another_charset_is_refused_by_name(endpoint: str) -> None:
    response = requests.post(
        endpoint,
        data="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
        timeout=60,
    )
    assert response.status_code == 415
    assert response.text.strip() == (
        "charset utf-16 is not accepted: UTF-8 is the only charset of application/sparql-query"
    )
