"""The endpoint served from a remote SPARQL server, and what only the remote backend does.

The loader and query tests themselves run on both backends (tests/test_load.py,
tests/test_example_queries.py, tests/test_corpus_endpoint.py; fixtures in
tests/conftest.py); the remote backend is `oxigraph serve` on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.conftest import OxigraphServer, StoreFactory
from tests.server_fixtures import serving_store
from tests.test_load import DATES
from voxgraph.loader import pipeline
from voxgraph.loader.store.remote import RemoteStore, RemoteTimeout, default_update_url
from voxgraph.paths import CORPUS
from voxgraph.server.settings import Settings

pytest_plugins = ["tests.server_fixtures"]


def test_the_five_publication_dates_via_the_endpoint(new_store: StoreFactory) -> None:
    store = new_store("store")
    pipeline.run([CORPUS], store)
    query = (
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?date { ?d dcterms:date ?date FILTER(isIRI(?d)) } ORDER BY ?date"
    )
    with serving_store(store) as url:
        csv = requests.get(
            url + "/sparql", params={"query": query}, headers={"Accept": "text/csv"}, timeout=30
        )
        assert csv.status_code == 200
        assert csv.text.split() == ["date", *DATES]
        described = requests.get(
            url + "/sparql",
            params={"query": "DESCRIBE <https://w3id.org/voxgraph/id/actor/ali-karimli>"},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        assert described.status_code == 200
        assert "Ali Karimli" in described.text
        bad = requests.get(url + "/sparql", params={"query": "SELECT nonsense"}, timeout=30)
        assert bad.status_code == 400
        page = requests.get(url + "/id/actor/ali-karimli", timeout=30)
        assert page.status_code == 200 and "Ali Karimli" in page.text
        dump = requests.get(url + "/dump.nq", timeout=60)
        assert dump.status_code == 200
        assert "<https://w3id.org/voxgraph/graph/digest/2023-10-03>" in dump.text


def test_updates_through_the_endpoint_are_still_refused(oxigraph_server: OxigraphServer) -> None:
    store = RemoteStore(oxigraph_server.url)
    with serving_store(store) as url:
        response = requests.post(
            url + "/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, timeout=30
        )
    assert response.status_code == 403
    assert store.named_graphs() == []


def test_a_remote_query_past_the_time_limit_gets_504(oxigraph_server: OxigraphServer) -> None:
    store = RemoteStore(oxigraph_server.url, timeout=0.5)
    store.update(
        "INSERT DATA { GRAPH <urn:g> { "
        + " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(300))
        + " } }"
    )
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"  # 300^3 rows
    with pytest.raises(RemoteTimeout):
        store.query(slow)
    with serving_store(store, Settings(timeout=0.5)) as url:
        response = requests.get(url + "/sparql", params={"query": slow}, timeout=30)
    assert response.status_code == 504


def test_the_update_url_follows_the_query_url() -> None:
    assert default_update_url("http://h:7878/query") == "http://h:7878/update"
    assert default_update_url("http://h/sparql") == "http://h/sparql"


class StreamingEndpoint(ThreadingHTTPServer):
    """A SPARQL endpoint on 127.0.0.1 whose answer is `rows` rows of one variable, each
    value `width` characters long, streamed; it notes how many bytes it got to send."""

    def __init__(self, rows: int, width: int) -> None:
        self.sent = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                # The query is read first: a socket closed with unread input is reset,
                # and the reset can overtake the answer on its way to the client.
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()  # no length: HTTP/1.0, the body ends with the connection
                value = json.dumps("x" * width)
                try:
                    self.wfile.write(b'{"head":{"vars":["x"]},"results":{"bindings":[')
                    for n in range(rows):
                        row = f'{"," if n else ""}{{"x":{{"type":"literal","value":{value}}}}}'
                        self.wfile.write(row.encode())
                        endpoint.sent += len(row)
                    self.wfile.write(b"]}}")
                except OSError:  # the client stopped reading
                    pass

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_port}/query"
        threading.Thread(target=self.serve_forever, daemon=True).start()


def test_a_long_remote_answer_is_read_only_as_far_as_the_row_limit() -> None:
    """500,000 rows (50 MB) on offer, 5 wanted: the server reads a few, not the whole answer."""
    endpoint = StreamingEndpoint(rows=500_000, width=64)
    try:
        with serving_store(RemoteStore(endpoint.url), Settings(max_result_rows=5)) as url:
            response = requests.get(url + "/sparql", params={"query": "SELECT * {}"}, timeout=60)
        assert response.status_code == 200, response.text
        assert response.headers["X-Voxgraph-Truncated"] == "true"
        assert len(response.json()["results"]["bindings"]) == 5
        time.sleep(0.5)  # let the endpoint notice that the connection is gone
        assert endpoint.sent < 10_000_000, f"the whole answer was read: {endpoint.sent:,} bytes"
    finally:
        endpoint.shutdown()


def test_a_remote_answer_past_the_byte_limit_gets_507() -> None:
    """One 3 MB value: more than the 1 MB this store reads for one answer."""
    endpoint = StreamingEndpoint(rows=1, width=3_000_000)
    try:
        store = RemoteStore(endpoint.url, max_answer_bytes=1_000_000)
        with serving_store(store) as url:
            response = requests.get(url + "/sparql", params={"query": "SELECT * {}"}, timeout=60)
    finally:
        endpoint.shutdown()
    assert response.status_code == 507, response.text
    assert "larger than 1,000,000 bytes, more than this server reads for one query" in response.text
