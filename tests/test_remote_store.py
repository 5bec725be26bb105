"""The endpoint served from a remote SPARQL server, and what only the remote backend does.

The loader and query tests themselves run on every backend (tests/test_load.py,
tests/test_example_queries.py, tests/test_corpus_endpoint.py; fixtures in
tests/conftest.py); here the remote backend meets both engines, `oxigraph serve` and
Virtuoso 7.2, started on 127.0.0.1: what it must do on any SPARQL 1.1 server (answer
every query form, see only the project's graphs, never pass a cut answer off as whole,
fail one digest and go on) and how each engine's faults show.
"""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
from click.testing import CliRunner
from pyoxigraph import NamedNode
from rdflib import URIRef

from tests.conftest import (
    OxigraphServer,
    StoreFactory,
    VirtuosoServer,
    assert_same_statistics,
    comparable_quads,
    load_corpus,
    on_virtuoso,
)
from tests.server_fixtures import serving_store
from tests.test_load import DATES
from voxgraph import iris
from voxgraph.cli import main
from voxgraph.loader import pipeline
from voxgraph.loader.store import Store, consolidate, statistics
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.loader.store.remote import RemoteStore
from voxgraph.loader.store.remote_answers import RemoteCut
from voxgraph.loader.store.remote_protocol import (
    RemoteStoreError,
    RemoteTimeout,
    default_graph_store_url,
    default_update_url,
    query_form,
)
from voxgraph.paths import CORPUS
from voxgraph.server.settings import Settings

pytest_plugins = ["tests.server_fixtures"]

Server = OxigraphServer | VirtuosoServer
OWN = "https://w3id.org/voxgraph/graph/"
ALI = "https://w3id.org/voxgraph/id/actor/ali-karimli"
INCIDENTS = NamedNode(str(iris.INCIDENTS_GRAPH))
NT = {"Accept": "application/n-triples"}
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # as a browser asks


def values_rows(side: int) -> str:
    """A WHERE clause of side**3 solutions and no data: long answers on any engine."""
    values = " ".join(str(i) for i in range(side))
    return f"VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} VALUES ?c {{ {values} }}"


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
            url + "/sparql", params={"query": f"DESCRIBE <{ALI}>"}, headers=NT, timeout=30
        )
        assert described.status_code == 200, described.text
        assert "Ali Karimli" in described.text
        bad = requests.get(url + "/sparql", params={"query": "SELECT nonsense"}, timeout=30)
        assert bad.status_code == 400
        page = requests.get(url + "/id/actor/ali-karimli", timeout=30)
        assert page.status_code == 200 and "Ali Karimli" in page.text
        dump = requests.get(url + "/dump.nq", timeout=60)
        assert dump.status_code == 200
        assert "<https://w3id.org/voxgraph/graph/digest/2023-10-03>" in dump.text


def test_every_query_form_is_answered_in_its_own_kind_of_format(
    each_corpus_store: Store,
) -> None:
    """SELECT and ASK as SPARQL results, CONSTRUCT and DESCRIBE as RDF (Virtuoso answers a
    CONSTRUCT asked for in JSON results in its own JSON, and an ASK as a table: 1 row)."""
    with serving_store(each_corpus_store) as url:

        def ask(query: str, accept: str) -> requests.Response:
            answer = requests.post(
                url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30
            )
            assert answer.status_code == 200, f"{query}: {answer.status_code} {answer.text}"
            return answer

        label = f"SELECT ?name {{ <{ALI}> <http://www.w3.org/2000/01/rdf-schema#label> ?name }}"
        assert "Ali Karimli" in ask(label, "text/csv").text
        yes = ask(f"ASK {{ <{ALI}> ?p ?o }}", "application/sparql-results+json").json()
        no = ask("ASK { <urn:nobody> ?p ?o }", "application/sparql-results+json").json()
        assert (yes["boolean"], no["boolean"]) == (True, False)
        built = ask(f"CONSTRUCT {{ <{ALI}> ?p ?o }} WHERE {{ <{ALI}> ?p ?o }}", NT["Accept"])
        assert f"<{ALI}> <http://www.w3.org/2000/01/rdf-schema#label>" in built.text
        described = ask(f"DESCRIBE <{ALI}>", "text/turtle")
        assert "Ali Karimli" in described.text
    assert query_form("PREFIX a: <urn:a#> # SELECT\nCONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"


def test_the_corpus_through_the_remote_store_is_the_embedded_one_graph_by_graph(
    corpus_store: GraphStore, each_corpus_store: Store
) -> None:
    """Same quads in every graph, up to how each engine writes a value (canonical forms;
    Virtuoso's durations: README, Beyond one machine), and the same whole dumps. The
    statistics count the same; their fingerprint hashes the values as the engine keeps
    them, so Virtuoso's differs."""
    assert each_corpus_store.named_graphs() == corpus_store.named_graphs()
    assert_same_statistics(each_corpus_store, corpus_store)
    everything, stored = comparable_quads(corpus_store), comparable_quads(each_corpus_store)
    for graph in corpus_store.named_graphs():
        if graph == statistics.STATISTICS_GRAPH:
            continue  # compared above, as counts
        embedded = {q for q in everything if q.endswith(f"<{graph}>")}
        remote = {q for q in stored if q.endswith(f"<{graph}>")}
        assert remote == embedded, f"{graph}: {sorted(remote ^ embedded)[:3]}"
    with serving_store(each_corpus_store) as url:
        served = requests.get(url + "/dump.nq.gz", timeout=120)
        assert served.status_code == 200
    with serving_store(corpus_store) as url:
        expected = requests.get(url + "/dump.nq.gz", timeout=120)
    lines = gzip.decompress(served.content).decode().splitlines()
    wanted = gzip.decompress(expected.content).decode().splitlines()
    assert len(lines) == len(wanted) == sum(1 for _ in corpus_store.quads())
    if not on_virtuoso(each_corpus_store):
        assert sorted(lines) == sorted(wanted)  # Oxigraph both: the same quads, text and all


def test_only_the_projects_graphs_are_read_or_listed(remote_server: Server) -> None:
    """A server shared with other data (Virtuoso always is: its system graphs) shows the
    endpoint the project's graphs alone: in the union, in GRAPH ?g, FROM, VoID, dumps."""
    store = RemoteStore(remote_server.url)
    store.update("INSERT DATA { GRAPH <urn:someone-else> { <urn:x> <urn:secret> 1 } }")
    pipeline.run([CORPUS / "2022-11-08.txt"], store)
    assert all(graph.startswith(OWN) for graph in store.named_graphs())
    queries = [
        "SELECT ?s { ?s <urn:secret> ?o }",
        "SELECT ?s { GRAPH ?g { ?s <urn:secret> ?o } }",
        "SELECT ?s FROM <urn:someone-else> { ?s ?p ?o }",
        "SELECT ?s FROM NAMED <urn:someone-else> { GRAPH ?g { ?s ?p ?o } }",
    ]
    for query in queries:
        assert list(store.query(query)) == [], query
    graphs = "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"
    assert sorted(row["g"].value for row in store.query(graphs)) == store.named_graphs()
    mine = f"SELECT (COUNT(*) AS ?n) FROM <{OWN}registry> {{ ?s ?p ?o }}"
    assert int(next(iter(store.query(mine)))["n"].value) > 1000
    with serving_store(store) as url:
        for path in ("/dump.nq", "/.well-known/void", "/sparql"):
            body = requests.get(url + path, headers=NT, timeout=60)
            assert body.status_code == 200, f"{path}: {body.status_code} {body.text[:300]}"
            assert "urn:secret" not in body.text and "openlinksw" not in body.text, path


def test_an_answer_cut_by_the_engine_is_marked_never_served_whole(remote_server: Server) -> None:
    """Virtuoso's stock row cap (ResultSetMaxRows, 10,000) cuts SELECT answers (saying so
    in X-SPARQL-MaxRows) and CONSTRUCT answers (silently: the store then asks it for one
    row more, once); Oxigraph has none. Either the rows all come, or the answer says it
    may be cut, in the header and in the JSON."""
    store = RemoteStore(remote_server.url)
    rows = f"SELECT ?a ?b ?c WHERE {{ {values_rows(23)} }}"  # 12,167 rows
    triples = (
        f"CONSTRUCT {{ ?s <urn:p> ?c }} WHERE {{ {values_rows(23)} "
        'BIND(IRI(CONCAT("urn:n", STR(?a), "-", STR(?b))) AS ?s) }'
    )
    with serving_store(store, Settings(max_result_rows=100_000)) as url:
        for query, accept, whole in (
            (rows, "application/sparql-results+json", 12_167),
            (triples, "application/n-triples", 12_167),
        ):
            answer = requests.post(
                url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=60
            )
            assert answer.status_code == 200, answer.text[:300]
            got = (
                len(answer.json()["results"]["bindings"])
                if "json" in accept
                else len(answer.text.splitlines())
            )
            cut = answer.headers.get("X-Voxgraph-Truncated") == "true"
            if on_virtuoso(store):
                assert cut and got < whole, f"{got} of {whole} rows, cut: {cut}"
                if "json" in accept:
                    assert "row cap" in answer.json()["voxgraph"]["note"]
            else:
                assert got == whole and not cut, f"{got} of {whole} rows, cut: {cut}"
    if on_virtuoso(store):
        with pytest.raises(RemoteCut, match="row cap"):
            list(store.query(f"SELECT * WHERE {{ {values_rows(23)} }}"))
        assert store.row_cap == 10_000
    else:
        assert len(list(store.query(f"SELECT * WHERE {{ {values_rows(23)} }}"))) == 12_167


def test_a_partial_answer_is_never_taken_for_a_whole_one(shared_virtuoso: VirtuosoServer) -> None:
    """Virtuoso's anytime queries (its `timeout` parameter, in ms) answer 200 with what they
    found in time and X-SQL-State: S1TAT (or, at times, stop with SR203): the store raises
    RemoteCut and the endpoint marks the answer as cut, or both treat it as a time-out."""
    shared_virtuoso.clear()
    store = RemoteStore(shared_virtuoso.url, query_params={"timeout": "500"})
    pipeline.run([CORPUS / "2022-11-08.txt"], store)
    slow = f"SELECT (COUNT(*) AS ?n) WHERE {{ {values_rows(60)} ?s ?p ?o }}"
    with pytest.raises((RemoteCut, RemoteTimeout)) as stopped:
        store.query(slow)
    if isinstance(stopped.value, RemoteCut):
        assert "partial answer (S1TAT" in str(stopped.value)
    with serving_store(store) as url:
        answer = requests.post(url + "/sparql", data={"query": slow}, timeout=60)
    if answer.status_code == 200:
        assert answer.headers.get("X-Voxgraph-Truncated") == "true"
        assert "S1TAT" in json.loads(answer.text)["voxgraph"]["note"]
    else:
        assert answer.status_code == 504, answer.text


def test_updates_through_the_endpoint_are_still_refused(remote_server: Server) -> None:
    store = RemoteStore(remote_server.url)
    with serving_store(store) as url:
        response = requests.post(
            url + "/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, timeout=30
        )
    assert response.status_code == 403
    assert store.named_graphs() == []


def test_a_remote_query_past_the_time_limit_gets_504(remote_server: Server) -> None:
    store = RemoteStore(remote_server.url, timeout=0.5)
    pipeline.run([CORPUS / "2022-11-08.txt"], store)
    slow = f"SELECT (COUNT(*) AS ?n) {{ {values_rows(60)} ?s ?p ?o }}"
    with pytest.raises(RemoteTimeout):
        store.query(slow)
    with serving_store(store, Settings(timeout=0.5)) as url:
        response = requests.get(url + "/sparql", params={"query": slow}, timeout=30)
    assert response.status_code == 504


def test_a_store_error_fails_that_digest_named_and_the_batch_goes_on(
    remote_server: Server, tmp_path: Path
) -> None:
    """By SPARQL Update alone (no Graph Store Protocol), Virtuoso 7.2 refuses a duration
    in INSERT DATA (SQ200): those two digests fail, named; the other three load."""
    store = RemoteStore(remote_server.url, graph_store_url="none")
    report = pipeline.run([CORPUS], store)
    with_durations = {str(CORPUS / "2023-09-22.txt"), str(CORPUS / "2023-09-26.txt")}
    if on_virtuoso(store):
        assert set(report.failed) == with_durations
        assert all("SQ200" in reason for reason in report.failed.values()), report.failed
        assert len(report.loaded) == 3
    else:
        assert report.ok and len(report.loaded) == 5
    for graph in store.named_graphs():  # an empty store again, and one that cannot write
        store.remove_graph(graph)  # type: ignore[arg-type]
    nowhere = RemoteStore(remote_server.url, "http://127.0.0.1:9/update", graph_store_url="none")
    shutil.copy(CORPUS / "2022-11-04.txt", tmp_path / "2022-11-04.txt")
    broken = pipeline.run([tmp_path], nowhere)
    assert "ontology/voxgraph.ttl" in broken.failed and "mappings/actors.yaml" in broken.failed
    reason = broken.failed[str(tmp_path / "2022-11-04.txt")]
    assert "not stored" in reason and "cannot connect" in reason


def test_unchanged_ontology_and_registry_are_not_sent_again(remote_server: Server) -> None:
    class Counting(requests.Session):
        writes: list[str] = []

        def request(self, method, url, *args, **kwargs):  # type: ignore[override]
            data = kwargs.get("data")
            if method == "PUT" or (isinstance(data, list) and data and data[0][0] == "update"):
                self.writes.append(f"{method} {url}")
            return super().request(method, url, *args, **kwargs)

    first = pipeline.run([CORPUS / "2022-11-08.txt"], RemoteStore(remote_server.url))
    assert first.ok
    session = Counting()
    again = pipeline.run(
        [CORPUS / "2022-11-08.txt"], RemoteStore(remote_server.url, session=session)
    )
    assert again.unchanged == [str(CORPUS / "2022-11-08.txt")]
    assert session.writes == [], "nothing changed, nothing should be written"


def test_credentials_come_from_the_environment(
    shared_virtuoso: VirtuosoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso's /sparql-auth (and /sparql-graph-crud-auth) want HTTP Digest."""
    shared_virtuoso.clear()
    url = shared_virtuoso.url + "-auth"
    with pytest.raises(RemoteStoreError, match="VOXGRAPH_STORE_USER"):
        RemoteStore(url).query("ASK {}")
    monkeypatch.setenv("VOXGRAPH_STORE_USER", "dba")
    monkeypatch.setenv("VOXGRAPH_STORE_PASSWORD", "dba")
    monkeypatch.setenv("VOXGRAPH_STORE_AUTH", "digest")
    store = RemoteStore(url)
    assert store.graph_store_url == shared_virtuoso.url + "-graph-crud-auth"
    report = pipeline.run([CORPUS / "2022-11-08.txt"], store)
    assert report.ok, report.failed
    assert f"{OWN}digest/2022-11-08" in store.named_graphs()


def test_voxgraph_dump_reads_the_store_url(
    each_corpus_store: Store, corpus_store: GraphStore, tmp_path: Path
) -> None:
    if not isinstance(each_corpus_store, RemoteStore):
        each_corpus_store = corpus_store
        arguments = ["--store", str(corpus_store.path)]
        environment = {}
    else:
        arguments, environment = [], {"VOXGRAPH_STORE_URL": each_corpus_store.url}
    out = tmp_path / "all.nq"
    result = CliRunner().invoke(main, ["dump", *arguments, "-o", str(out)], env=environment)
    assert result.exit_code == 0, result.output
    dumped = set(out.read_text().splitlines())
    assert len(dumped) == sum(1 for _ in corpus_store.quads())


def test_the_timeline_tells_dated_incidents_from_first_reported_ones(
    each_corpus_store: Store,
) -> None:
    """Virtuoso 7.2 answers BOUND() with 1 or 0: the timeline does not ask it (an
    incident's own date is a row of its own, server/timeline.py)."""
    with serving_store(each_corpus_store) as url:
        page = requests.get(url + "/timeline", timeout=60).text
    incidents = page.count("<time datetime=")
    undated = page.count("<small>first reported</small>")
    assert 0 < undated < incidents, f"{undated} of {incidents} incidents marked first reported"


def test_the_urls_follow_the_query_url() -> None:
    assert default_update_url("http://h:7878/query") == "http://h:7878/update"
    assert default_update_url("http://h/sparql") == "http://h/sparql"
    assert default_graph_store_url("http://h:7878/query") == "http://h:7878/store"
    assert default_graph_store_url("http://h/sparql") == "http://h/sparql-graph-crud"
    assert default_graph_store_url("http://h/sparql-auth") == "http://h/sparql-graph-crud-auth"


class StreamingEndpoint(ThreadingHTTPServer):
    """A SPARQL endpoint on 127.0.0.1 whose answer is `rows` rows of one variable, each
    value `width` characters long, streamed; it notes how many bytes it got to send. It
    holds no graph: a query about graphs (RemoteStore's, whether the server is shared) gets
    no rows."""

    def __init__(self, rows: int, width: int) -> None:
        self.sent = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                # The query is read first: a socket closed with unread input is reset,
                # and the reset can overtake the answer on its way to the client.
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                query = parse_qs(body.decode())["query"][0]
                answer = rows
                if "GRAPH ?g" in query:  # RemoteStore asking whose graphs the server holds
                    answer = 0
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()  # no length: HTTP/1.0, the body ends with the connection
                value = json.dumps("x" * width)
                try:
                    self.wfile.write(b'{"head":{"vars":["x"]},"results":{"bindings":[')
                    for n in range(answer):
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


def test_a_page_the_store_cannot_answer_says_so_instead_of_500() -> None:
    """A store that never answers (a socket that listens and says nothing) gives 504, one
    that cannot be reached 502; a browser gets a page naming the problem, others text.
    Virtuoso's refusal by its cost estimate is a RemoteTimeout too: 504, its reason shown."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        store = RemoteStore(f"http://127.0.0.1:{silent.getsockname()[1]}/sparql", timeout=0.5)
        with serving_store(store) as url:
            page = requests.get(url + "/id/actor/ali-karimli", headers=HTML, timeout=30)
            text = requests.get(url + "/timeline", timeout=30)
    assert page.status_code == 504, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert "The store did not answer in time" in page.text
    assert "did not answer within 0.5 s" in page.text
    assert text.status_code == 504 and text.headers["Content-Type"].startswith("text/plain")
    assert "did not answer within 0.5 s" in text.text
    with serving_store(RemoteStore("http://127.0.0.1:9/sparql")) as url:
        unreachable = requests.get(url + "/id/actor/ali-karimli", headers=HTML, timeout=30)
    assert unreachable.status_code == 502, unreachable.text
    assert "The store could not answer" in unreachable.text and "cannot connect" in unreachable.text


def test_a_graph_longer_than_the_row_cap_is_read_whole(remote_server: Server) -> None:
    """12,000 triples in one graph, more than Virtuoso's 10,000-row cap: written, read
    back (in pages, counted) and dumped whole on both engines."""
    store = RemoteStore(remote_server.url)
    graph = OWN + "long"
    lines = [f'<urn:s{n // 4}> <urn:p{n % 4}> "{n}" .' for n in range(12_000)]
    assert store.replace_graph(URIRef(graph), "\n".join(lines) + "\n") == []
    read = list(store.quads(graph))
    assert len(read) == 12_000, f"{len(read)} of 12,000 triples read"
    assert {q.object.value for q in read} == {str(n) for n in range(12_000)}
    with serving_store(store) as url:
        dump = requests.get(url + "/dump.nq", timeout=120)
    assert dump.status_code == 200
    assert len(dump.text.splitlines()) == 12_000


def test_the_corpus_loads_whole_under_a_low_row_cap(
    corpus_store: GraphStore, tmp_path: Path
) -> None:
    """Virtuoso cutting answers at 1,000 rows, as the stock 10,000 cuts a graph of more
    than 10,000 triples or the event reports of ~35 digests: the whole graphs are read in
    pages, the reports in smaller sets of digests, and the corpus gives the same quads and
    statistics as on the embedded store, incidents and all."""
    server = VirtuosoServer(tmp_path / "virtuoso", row_cap=1_000)
    try:
        store = load_corpus(RemoteStore(server.url))
        assert store.row_cap == 1_000
        stored, embedded = comparable_quads(store), comparable_quads(corpus_store)
        assert stored == embedded, f"{len(stored ^ embedded)} quads differ"
        assert_same_statistics(store, corpus_store)
    finally:
        server.stop()


def test_an_incidents_patch_larger_than_one_request_goes_in_several(
    corpus_store: GraphStore, remote_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Virtuoso 7.2 refuses one update request of ~12,800 triples (SQ199, a code vector
    too long), the first write of the incidents graph of ~100 digests: a remote store
    sends a patch in requests of at most `update_triples` changed triples, each with its
    statistics. Here 50 a request: the corpus still gives the same quads and statistics
    as on the embedded store, and the graph is marked current."""
    store = RemoteStore(remote_server.url)
    store.update_triples = 50
    sent: list[str] = []
    send = store.update
    monkeypatch.setattr(store, "update", lambda sparql: (sent.append(sparql), send(sparql)))
    load_corpus(store)
    patches = [u for u in sent if f"DATA {{ GRAPH <{INCIDENTS.value}>" in u]
    assert len(patches) > 10, f"the incidents went in {len(patches)} requests"
    incidents = sum(1 for _ in corpus_store.quads_for_pattern(None, None, None, INCIDENTS))
    assert incidents > 10 * store.update_triples, f"only {incidents} incident triples"
    assert consolidate.is_current(store), "the version marker was not written last"
    stored, embedded = comparable_quads(store), comparable_quads(corpus_store)
    assert stored == embedded, f"{len(stored ^ embedded)} quads differ"
    assert_same_statistics(store, corpus_store)
