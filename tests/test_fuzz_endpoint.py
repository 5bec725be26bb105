"""Generated and mutated queries and protocol requests against the live endpoint.

Every answer must be a well-formed HTTP response with a 2xx or 4xx status (503
or 504 only for the time and concurrency limits, saying so), and the server
must stay up. Bounded and reproducible, like the digest fuzz test.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.test_hardening import serve_snapshot
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.settings import Settings

PREFIXES = (
    "PREFIX vox: <https://w3id.org/voxgraph/ontology#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
SEED_QUERIES = [
    PREFIXES + "SELECT ?d ?date { ?d a vox:Digest ; dcterms:date ?date } ORDER BY ?date",
    PREFIXES + "SELECT ?a (COUNT(?d) AS ?n) { ?a vox:mentionedIn ?d } GROUP BY ?a LIMIT 5",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
    "DESCRIBE <https://w3id.org/voxgraph/id/actor/ali-karimli>",
    "ASK { GRAPH ?g { ?s ?p ?o } }",
    'SELECT * { BIND(REGEX("aaaa", "(a+)+$") AS ?x) VALUES ?y { 1 "x"@en <urn:z> } }',
    'SELECT * { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Karimli")) } LIMIT 3',
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "LOAD <file:///etc/passwd>",
    "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
]
TOKENS = st.sampled_from(
    ["{", "}", "(", ")", "<", ">", '"', "'", "#", "\\u0053", "SERVICE", "GRAPH", "?x", "*",
     "UNION", "OPTIONAL", "FILTER", "LIMIT 1", "\x00", "\r", "\n", "é", "\ud7ff", "^^", "@en"]
)  # fmt: skip
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@st.composite
def queries(draw: st.DrawFn) -> str:
    base = draw(st.one_of(st.sampled_from(SEED_QUERIES), st.text(max_size=80)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(base)))
        if draw(st.booleans()):
            base = base[:at] + draw(TOKENS) + base[at:]
        else:
            base = base[:at] + base[at + draw(st.integers(1, 10)) :]
    return base


@st.composite
def requests_(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes]:
    method = draw(
        st.sampled_from(["GET", "GET", "POST", "POST", "HEAD", "OPTIONS", "PUT", "DELETE"])
    )
    path = draw(st.sampled_from(["/sparql", "/sparql", "/", "/sparql/", "/dump.nt", "/nope"]))
    names = st.sampled_from(
        ["query", "query", "update", "format", "default-graph-uri", "named-graph-uri", "x"]
    )
    params = draw(st.lists(st.tuples(names, queries()), max_size=3))
    headers = {}
    if draw(st.booleans()):
        headers["Accept"] = draw(
            st.one_of(
                st.sampled_from(["text/csv", "application/sparql-results+xml", "*/*;q=0", "a/b"]),
                HEADER_TEXT,
            )
        )
    body = b""
    if method in ("POST", "PUT"):
        content_type = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "application/x-www-form-urlencoded",
                        "application/sparql-query",
                        "application/sparql-query; charset=latin1",
                        "application/sparql-update",
                        "multipart/form-data; boundary=x",
                        "text/plain",
                    ]
                ),
                HEADER_TEXT,
            )
        )
        headers["Content-Type"] = content_type
        kind = draw(st.sampled_from(["form", "query", "bytes"]))
        if kind == "form":
            body = urlencode(params).encode()
            params = []
        elif kind == "query":
            body = draw(queries()).encode("utf-8", "surrogatepass")
        else:
            body = draw(st.binary(max_size=200))
    target = path + (
        "?" + urlencode(params, encoding="utf-8", errors="surrogatepass") if params else ""
    )
    return method, target, headers, body


@pytest.fixture(scope="module")
def endpoint(corpus_store: GraphStore) -> Iterator[tuple[str, int]]:
    assert corpus_store.path is not None
    limits = Settings(timeout=5.0, workers=2, max_concurrent_queries=8)
    with serve_snapshot(Path(corpus_store.path), limits) as url:
        parts = urlsplit(url)
        yield parts.hostname or "127.0.0.1", parts.port or 80


def send(endpoint: tuple[str, int], method: str, target: str, headers: dict, body: bytes):
    connection = http.client.HTTPConnection(*endpoint, timeout=30)
    try:
        connection.request(method, target, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(requests_())
def test_every_request_gets_a_well_formed_answer_never_a_500(endpoint, request) -> None:
    method, target, headers, body = request
    status, content = send(endpoint, method, target, headers, body)
    if status in (503, 504):
        assert b"limit" in content or b"busy" in content, content
    else:
        assert 200 <= status < 500, (status, content[:300])
    alive, _ = send(endpoint, "GET", "/sparql?query=ASK%7B%7D", {}, b"")
    assert alive == 200
