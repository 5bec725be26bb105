"""The pages that list much, a page at a time, on the real server over both backends: the
timeline and an actor's statements and events follow their next and previous links to
every item once, in order; the other pages answer from look-ups bounded by what they
show (a store without statistics gets pages that say so rather than a scan)."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD

from tests.conftest import free_port
from tests.server_fixtures import serving_store
from voxgraph.iris import GRAPH, ID, VOX
from voxgraph.loader import pipeline
from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS

ALIYEV = str(ID["actor/ilham-aliyev"])
INCIDENT = re.compile(
    r'<li class="incident">\s*<time datetime="([\d-]+)">.*?<a class="kind" href="([^"]+)"', re.S
)
ITEM = re.compile(r'<span class="date">([\d-]+)</span>\s*<a class="kind" href="([^"]+)"')


@pytest.fixture(scope="module")
def url(each_corpus_store: Store) -> Iterator[str]:
    with serving_store(each_corpus_store) as base:
        yield base


def get(url: str, path: str, **params: str | int) -> str:
    response = requests.get(url + path, params=params, timeout=30)
    assert response.status_code == 200, f"{path} {params}: {response.status_code}"
    return response.text


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def walk(url: str, start: str, rel: str) -> list[tuple[str, str]]:
    """Every incident from page `start` on, following the `rel` links to the end."""
    seen: list[tuple[str, str]] = []
    path: str | None = start
    for _ in range(200):
        if path is None:
            return seen
        page = requests.get(url + path, timeout=30).text
        found = INCIDENT.findall(page)
        seen.extend(found if rel == "next" else found[::-1])
        path = link(page, rel)
    raise AssertionError(f"the {rel} links from {start} do not end")


def test_the_timeline_page_by_page_shows_every_incident_once_in_order(url: str) -> None:
    everything = INCIDENT.findall(get(url, "/timeline", size=500))
    assert len(everything) > 50
    assert [date for date, _ in everything] == sorted(date for date, _ in everything)
    forward = walk(url, "/timeline?size=7", "next")
    assert forward == everything, "walking the later links gives the one long page"
    backward = walk(url, "/timeline?size=7&before=9999-12-31", "prev")
    assert backward[::-1] == everything, "walking the earlier links from the last page too"
    first = get(url, "/timeline", size=7)
    assert f"Incidents 1–7 of {len(everything)}" in first
    assert link(first, "prev") is None


def test_a_timeline_page_starts_at_a_date_and_keeps_its_filter(url: str) -> None:
    page = get(url, "/timeline", **{"from": "2023-09-22", "size": 5})
    dates = [date for date, _ in INCIDENT.findall(page)]
    assert dates and min(dates) >= "2023-09-22"
    assert link(page, "prev") is not None, "incidents before that date are a page back"
    arrests = walk(url, "/timeline?type=Arrest&size=2", "next")
    one_page = get(url, "/timeline", type="Arrest", size=500)
    assert len(arrests) > 2 and arrests == INCIDENT.findall(one_page)
    kinds = re.findall(r'<a class="kind" href="[^"]+">([^<]+)</a>', one_page)
    assert kinds and all("Arrest" in kind for kind in kinds)
    later = link(get(url, "/timeline", type="Arrest", size=2), "next")
    assert later is not None and "type=Arrest" in later and "size=2" in later


def test_an_actors_incidents_on_the_timeline(url: str) -> None:
    page = get(url, "/timeline", actor=ALIYEV)
    dates = [date for date, _ in INCIDENT.findall(page)]
    assert dates == ["2023-09-20", "2023-09-21"]  # his two meetings (queries/08)
    assert "Incidents of <a" in page and "Ilham Aliyev" in page
    one = walk(url, f"/timeline?actor={ALIYEV}&size=1", "next")
    assert [date for date, _ in one] == dates


def test_the_page_size_has_a_ceiling(url: str) -> None:
    assert 'name="size" value="500"' in get(url, "/timeline", size=10**9)
    assert 'name="size" value="100"' in get(url, "/timeline", size="many")


def test_an_actors_statements_and_events_page_by_page(url: str) -> None:
    whole = get(url, "/page/actor/azerbaijan", size=500)
    statements = section(whole, "statements")
    events = section(whole, "events")
    assert len(events) > 3 and statements
    assert [d for d, _ in events] == sorted((d for d, _ in events), reverse=True)
    seen, path = [], "/page/actor/azerbaijan?size=2"
    while path:
        page = requests.get(url + path, timeout=30).text
        seen += section(page, "events")
        assert section(page, "statements") == statements[:2], "the other list stays put"
        path = link(page.split('class="events"')[1], "next")
    assert seen == events
    assert f"Events 1–2 of {len(events)}, newest first." in get(
        url, "/page/actor/azerbaijan", size=2
    )


def section(page: str, name: str) -> list[tuple[str, str]]:
    return ITEM.findall(page.split(f'class="{name}"')[1].split("</section>")[0])


def test_the_ontology_takes_its_examples_from_the_data(url: str) -> None:
    page = get(url, "/ontology")
    speaker = page.split('id="speaker"')[1].split("</section>")[0]
    assert "/page/digest/" in speaker and "none in the data" not in speaker
    arrest = page.split('id="Arrest"')[1].split("</section>")[0]
    assert "/page/digest/" in arrest, "a class's example is a typing triple of an instance"


def test_void_counts_come_from_the_statistics(url: str, each_corpus_store: Store) -> None:
    text = get(url, "/.well-known/void")
    graph = Graph().parse(data=text, format="turtle")
    dataset = next(graph.subjects(RDF.type, VOID.Dataset))
    quads = list(each_corpus_store.quads_for_pattern())
    assert int(graph.value(dataset, VOID.triples)) == len(
        {(q.subject, q.predicate, q.object) for q in quads}
    )
    partitions = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert partitions[VOX.Arrest] == each_corpus_store.statistics().classes[str(VOX.Arrest)]


def test_reconciliation_finds_a_misspelt_name(url: str) -> None:
    response = requests.post(
        url + "/reconcile",
        data={"queries": '{"q0": {"query": "Ali Karmli", "limit": 1}}'},
        timeout=30,
    )
    (best,) = response.json()["q0"]["result"]
    assert best["id"] == "actor/ali-karimli" and best["score"] >= 80


# -- a store without statistics, a resource with many links ---------------------------------


@pytest.fixture(scope="module")
def busy_store(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """No statistics (written with replace_graph only); one actor named by 1,200 statements."""
    store = GraphStore(tmp_path_factory.mktemp("busy") / "store")
    actor = ID["actor/busy"]
    graph = Graph()
    digest = ID["digest/2030-01-01"]
    graph.add((digest, DCTERMS.date, Literal("2030-01-01", datatype=XSD.date)))
    graph.add((actor, RDF.type, VOX.Person))
    graph.add((actor, RDF.type, VOX.Actor))  # every class is stated: no reasoning
    graph.add((actor, RDFS.label, Literal("Busy Person", lang="en")))
    for n in range(1200):
        statement = ID[f"digest/2030-01-01/statement/{n}"]
        graph.add((statement, VOX.speaker, actor))
        graph.add((statement, VOX.reportedIn, digest))
        graph.add((statement, VOX.quote, Literal(f"Number {n}.")))
    store.replace_graph(GRAPH["digest/2030-01-01"], graph)
    return store


def test_a_store_without_statistics_says_so_rather_than_count(busy_store: GraphStore) -> None:
    assert busy_store.statistics() is None
    with serving_store(busy_store) as base:
        timeline = get(base, "/timeline")
        void = Graph().parse(data=get(base, "/.well-known/void"), format="turtle")
    assert "keeps no statistics" in timeline and "voxgraph load" in timeline
    dataset = next(void.subjects(RDF.type, VOID.Dataset))
    assert void.value(dataset, VOID.sparqlEndpoint) is not None
    assert void.value(dataset, VOID.triples) is None, "no counts rather than a count per request"


def test_a_resource_with_many_links_comes_a_page_at_a_time(busy_store: GraphStore) -> None:
    with serving_store(busy_store) as base:
        page = get(base, "/page/actor/busy")
        first = requests.get(base + "/data/actor/busy.nt", timeout=30)
        second = requests.get(base + "/data/actor/busy.nt?page=2", timeout=30)
        beyond = requests.get(base + "/data/actor/busy.nt?page=3", timeout=30)
    assert "<h1>Busy Person</h1>" in page
    assert "Statements (1200)" in page and "Statements 1–50 of 1200" in page
    pointing = page.split("Pointing here")[1]
    assert pointing.count("<tr>") - 1 == 100, "the table holds the first 100 links"
    assert "every one is in the data" in page
    lines = first.text.splitlines() + second.text.splitlines()
    assert len(first.text.splitlines()) == 1000, "a data document's page holds 1,000 triples"
    assert first.headers["Link"] == '</data/actor/busy.nt?page=2>; rel="next"'
    assert 'rel="prev"' in second.headers["Link"] and "next" not in second.headers["Link"]
    assert len(set(lines)) == len(lines) == 1 + 1 + 1 + 1200, "every triple once, in two pages"
    assert beyond.status_code == 404


def test_serving_a_store_without_statistics_says_what_is_off(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    store.replace_graph(GRAPH["digest/2030-01-01"], "<urn:x:a> <urn:x:b> <urn:x:c> .")
    del store  # closed: the server opens it read-only
    command = [str(Path(sys.executable).parent / "voxgraph"), "serve", "--store"]
    server = subprocess.Popen(
        [*command, str(tmp_path / "store"), "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        said = [server.stdout.readline() for _ in range(3)]  # serving, workers, statistics
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "serving" in said[0]
    warning = [line for line in said if "keeps no statistics" in line]
    assert warning and "voxgraph load" in warning[0], said


def test_what_is_kept_per_version_of_the_data_follows_a_new_digest(tmp_path: Path) -> None:
    store = GraphStore(tmp_path / "store")
    pipeline.run([CORPUS / "2022-11-04.txt"], store)
    total = re.compile(r"Incidents 1–\d+ of (\d+)")
    with serving_store(store) as base:
        before = get(base, "/page/actor/ali-karimli")
        events_before = int(total.search(get(base, "/timeline")).group(1))
        pipeline.run([CORPUS / "2022-11-08.txt"], store)  # he speaks there too
        after = get(base, "/page/actor/ali-karimli")
        events_after = int(total.search(get(base, "/timeline")).group(1))
        described = get(base, "/sparql")
    assert len(section(after, "statements")) > len(section(before, "statements"))
    assert events_after > events_before
    assert "digest/2022-11-08" in described, "the service description names the new graph"
