"""Federated queries: the endpoint joins its graph with a SPARQL stand-in for Wikidata.

The stand-in is http.server on 127.0.0.1 answering application/sparql-results+json
from a small rdflib graph of FICTIONAL items (Q90000xx). The federated example
queries (queries/9N-*.rq) run through the endpoint with the Wikidata IRI
replaced by the stand-in's URL, which is put on the allowlist.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from rdflib import Graph, Literal, Namespace
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from tests.server_fixtures import serving_store
from voxgraph.iris import GRAPH, ID, VOX, WD
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.examples import load_examples
from voxgraph.server.settings import WIKIDATA_SPARQL, Settings

WDT = Namespace("http://www.wikidata.org/prop/direct/")
SCHEMA_ORG = Namespace("http://schema.org/")  # Wikidata's, not https
DATE = "http://www.w3.org/2001/XMLSchema#date"
DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
KARIMLI, IBADOGLU, LIBRE = (
    ID["actor/ali-karimli"],
    ID["actor/gubad-ibadoglu"],
    ID["actor/nurlan-libre"],
)


def wikidata_graph() -> Graph:
    g = Graph()
    for item, description, born, party in [
        ("Q9000001", "Azerbaijani politician", "1965-01-01T00:00:00Z", "Q9000010"),
        ("Q9000003", "Azerbaijani economist", "1971-01-01T00:00:00Z", "Q9000011"),
    ]:
        g.add((WD[item], WDT.P27, WD.Q227))
        g.add((WD[item], SCHEMA_ORG.description, Literal(description, lang="en")))
        g.add((WD[item], WDT.P569, Literal(born, datatype=DATETIME)))
        g.add((WD[item], WDT.P102, WD[party]))
    for party, name in [("Q9000010", "Popular Front Party"), ("Q9000011", "Democracy Party")]:
        g.add((WD[party], WDT.P17, WD.Q227))
        g.add((WD[party], RDFS.label, Literal(name, lang="en")))
    return g


def local_graph() -> Graph:
    g = Graph()
    for actor, name in [(KARIMLI, "Ali Karimli"), (IBADOGLU, "Gubad Ibadoglu"), (LIBRE, "N L")]:
        g.add((actor, RDF.type, VOX.Person))
        g.add((actor, RDFS.label, Literal(name, lang="en")))
    g.add((KARIMLI, OWL.sameAs, WD.Q9000001))
    g.add((IBADOGLU, VOX.wikidataCandidate, WD.Q9000003))
    for day, speaker in [("2023-10-03", KARIMLI), ("2023-09-26", IBADOGLU), ("2023-10-03", LIBRE)]:
        digest, statement = ID[f"digest/{day}"], ID[f"digest/{day}/statement/{len(g)}"]
        g.add((digest, DCTERMS.date, Literal(day, datatype=DATE)))
        g.add((statement, VOX.speaker, speaker))
        g.add((statement, VOX.quote, Literal("words")))
        g.add((statement, VOX.reportedIn, digest))
    return g


@pytest.fixture(scope="module")
def remote() -> Iterator[tuple[str, list[str]]]:
    """The stand-in's URL and the queries it received."""
    data, received = wikidata_graph(), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.answer(parse_qs(urlsplit(self.path).query)["query"][0])

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            if self.headers["Content-Type"].startswith("application/sparql-query"):
                self.answer(body)
            else:
                self.answer(parse_qs(body)["query"][0])

        def answer(self, query: str) -> None:
            received.append(query)
            payload = data.query(query).serialize(format="json")
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql", received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory, remote) -> Iterator[str]:
    store = GraphStore(tmp_path_factory.mktemp("federation") / "store")
    store.replace_graph(GRAPH["digest/test"], local_graph())
    with serving_store(store, Settings(service_allowlist=(remote[0],))) as url:
        yield url + "/sparql"


def run_example(endpoint: str, remote_url: str, slug: str) -> list[dict[str, str]]:
    (example,) = [e for e in load_examples() if e.slug == slug]
    assert example.federated and f"SERVICE <{WIKIDATA_SPARQL}>" in example.body
    query = example.query.replace(WIKIDATA_SPARQL, remote_url)
    response = requests.post(endpoint, data={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    return [
        {name: cell["value"] for name, cell in row.items()}
        for row in response.json()["results"]["bindings"]
    ]


def test_wikidata_is_allowlisted_by_default_and_nothing_else_is() -> None:
    assert Settings().service_allowlist == (WIKIDATA_SPARQL,)


def test_linked_people_get_their_wikidata_description_and_birth_date(
    endpoint: str, remote: tuple[str, list[str]]
) -> None:
    rows = run_example(endpoint, remote[0], "90-linked-people-from-wikidata")
    assert [(r["name"], r["status"], r["description"], r["born"][:4]) for r in rows] == [
        ("Ali Karimli", "verified", "Azerbaijani politician", "1965"),
        ("Gubad Ibadoglu", "unverified", "Azerbaijani economist", "1971"),
    ]
    assert remote[1], "the stand-in was not asked"


def test_the_parties_of_everyone_quoted_in_a_month(
    endpoint: str, remote: tuple[str, list[str]]
) -> None:
    rows = run_example(endpoint, remote[0], "91-parties-of-people-quoted-in-a-month")
    assert [(r["name"], r["partyName"]) for r in rows] == [("Ali Karimli", "Popular Front Party")]


def test_other_service_targets_stay_refused(endpoint: str, remote) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert requests.get(endpoint, params={"query": query}, timeout=30).status_code == 403


def test_every_federated_example_names_wikidata_as_a_full_iri() -> None:
    federated = [e for e in load_examples() if e.federated]
    assert len(federated) >= 2
    for example in federated:
        assert f"SERVICE <{WIKIDATA_SPARQL}>" in example.body, example.slug


def test_serve_can_add_services_and_drop_the_default(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from voxgraph import cli

    seen = {}
    monkeypatch.setattr(
        "voxgraph.server.serve.serve", lambda *a, settings, **k: seen.update(s=settings)
    )
    args = ["serve", "--store", str(tmp_path), "--service", "http://127.0.0.1:1/sparql"]
    assert CliRunner().invoke(cli.main, args).exit_code == 0
    assert seen["s"].service_allowlist == (WIKIDATA_SPARQL, "http://127.0.0.1:1/sparql")
    assert CliRunner().invoke(cli.main, [*args, "--no-default-services"]).exit_code == 0
    assert seen["s"].service_allowlist == ("http://127.0.0.1:1/sparql",)
