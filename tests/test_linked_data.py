"""Resource pages, content negotiation, the ontology and shapes, VoID, the timeline and the
dumps' caching headers, against the bundled corpus served on a real port."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator

import pytest
import requests
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, VOID

from tests.server_fixtures import serving_store
from voxgraph.iris import ID, PREFIXES, VOX
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import ROOT

KARIMLI = ID["actor/ali-karimli"]
DIGEST = ID["digest/2022-11-04"]
STATEMENT = ID["digest/2022-11-04/statement/7495"]
RDF_FORMATS = [
    ("text/turtle", "turtle", "ttl"),
    ("application/n-triples", "nt", "nt"),
    ("application/ld+json", "json-ld", "jsonld"),
    ("application/rdf+xml", "xml", "rdf"),
]


@pytest.fixture(scope="module")
def url(corpus_store: GraphStore) -> Iterator[str]:
    with serving_store(corpus_store) as base:
        yield base


def test_an_iri_redirects_a_browser_to_its_page(url: str) -> None:
    response = requests.get(
        f"{url}/id/actor/ali-karimli",
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
        allow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/page/actor/ali-karimli")
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize(("media_type", "rdflib_format", "ext"), RDF_FORMATS)
def test_an_iri_gives_rdf_to_a_client_asking_for_it(
    url: str, media_type: str, rdflib_format: str, ext: str
) -> None:
    response = requests.get(f"{url}/id/actor/ali-karimli", headers={"Accept": media_type})
    assert response.history[0].status_code == 303
    assert response.url.endswith(f"/data/actor/ali-karimli.{ext}")
    assert response.headers["Content-Type"].split(";")[0] == media_type
    graph = Graph().parse(data=response.content, format=rdflib_format)
    assert (KARIMLI, RDFS.label, Literal("Ali Karimli", lang="en")) in graph
    assert (KARIMLI, RDF.type, VOX.Person) in graph
    assert (STATEMENT, VOX.speaker, KARIMLI) in graph  # incoming triples too


def test_a_digest_description_includes_its_evidence_spans(url: str) -> None:
    response = requests.get(f"{url}/data/digest/2022-11-04.ttl")
    graph = Graph().parse(data=response.content, format="turtle")
    span = URIRef(f"{DIGEST}#char=7495,7650")
    assert len(list(graph.predicate_objects(span))) >= 4  # begin, end, anchorOf, context


def test_unknown_iris_are_404(url: str) -> None:
    for path in ("/id/actor/nobody", "/page/actor/nobody", "/data/actor/nobody.ttl"):
        assert requests.get(url + path).status_code == 404, path


def test_actor_page_lists_aliases_roles_statements_and_events(url: str) -> None:
    response = requests.get(f"{url}/page/actor/ali-karimli")
    assert response.status_code == 200
    text = response.text
    assert "<h1>Ali Karimli</h1>" in text
    assert "Karimli" in text and "chairperson of APFP" in text
    assert "Not linked." in text or "wikidata.org" in text
    assert 'href="/page/digest/2022-11-04#char=7495,7650"' in text  # evidence anchor
    statements = text.split('class="statements"')[1].split("</section>")[0]
    dates = re.findall(r'<span class="date">([\d-]+)</span>', statements)
    assert dates and dates == sorted(dates, reverse=True)  # newest first
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_linked_actor_shows_its_item_and_the_source_to_check_it(url: str) -> None:
    text = requests.get(f"{url}/page/actor/nikol-pashinyan").text
    assert 'href="http://www.wikidata.org/entity/Q7035479"' in text
    assert "(owl:sameAs, confirmed)" in text
    source = "https://github.com/every-politician-scrapers/world-leaders-2021/blob/"
    assert f'class="source" href="{source}' in text, "the page gives no source to check the link"
    data = requests.get(f"{url}/data/actor/nikol-pashinyan.ttl").text
    assert "nikol-pashinyan#wikidata" in data  # the link node comes with the actor's data


def test_digest_page_highlights_evidence_safely(url: str) -> None:
    text = requests.get(f"{url}/page/digest/2022-11-04").text
    assert 'id="char=7495,7650"' in text
    assert '<mark class="ev statement" id="char=7495,7650">' in text and 'class="ev event' in text
    assert 'href="/page/digest/2022-11-04/statement/7495"' in text
    assert "Karimli’s Facebook post reads" in text
    assert "<script" not in text.split("<main>")[1].split("</main>")[0]


def test_statement_page_shows_its_triples(url: str) -> None:
    response = requests.get(f"{url}/page/digest/2022-11-04/statement/7495")
    assert response.status_code == 200
    assert 'href="/page/actor/ali-karimli"' in response.text


@pytest.mark.parametrize("name", ["ontology", "shapes"])
def test_ontology_and_shapes_by_content_negotiation(url: str, name: str) -> None:
    html = requests.get(f"{url}/{name}", headers={"Accept": "text/html"})
    assert html.headers["Content-Type"].startswith("text/html")
    assert html.headers["Content-Location"] == f"/{name}.html"
    assert html.headers["Vary"] == "Accept"
    turtle = requests.get(f"{url}/{name}", headers={"Accept": "text/turtle"})
    assert turtle.headers["Content-Location"] == f"/{name}.ttl"
    graph = Graph().parse(data=turtle.content, format="turtle")
    assert len(graph) > 100
    jsonld = requests.get(f"{url}/{name}.jsonld")
    assert len(Graph().parse(data=jsonld.content, format="json-ld")) == len(graph)


def test_ontology_page_documents_every_term(url: str) -> None:
    text = requests.get(f"{url}/ontology").text
    for term in ("Digest", "Statement", "Arrest", "speaker", "evidence", "wikidataCandidate"):
        assert f'id="{term}"' in text, term
    section = text.split('id="speaker"')[1].split("</section>")[0]
    assert "domain" in section and "range" in section and "/page/digest/" in section


def test_void_describes_the_dataset(url: str, corpus_store: GraphStore) -> None:
    response = requests.get(f"{url}/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = next(graph.subjects(RDF.type, VOID.Dataset))
    triples = int(graph.value(dataset, VOID.triples))
    distinct = {(q.subject, q.predicate, q.object) for q in corpus_store.ox}
    assert triples == len(distinct)
    assert int(graph.value(dataset, VOID.entities)) > 100
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{url}/sparql")
    assert URIRef(f"{url}/dump.nq") in set(graph.objects(dataset, VOID.dataDump))
    assert str(graph.value(dataset, VOID.uriSpace)) == str(ID)
    partitions = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert partitions[VOX.Digest] == 5
    sd = Graph().parse(data=requests.get(f"{url}/sparql").content, format="turtle")
    assert URIRef(f"{url}/.well-known/void") in set(sd.objects(None, RDFS.seeAlso))


def test_timeline_filters_by_type_and_actor(url: str) -> None:
    everything = requests.get(f"{url}/timeline").text
    arrests = requests.get(f"{url}/timeline", params={"type": "Arrest"}).text
    assert everything.count('<li class="incident">') > arrests.count('<li class="incident">') > 0
    aliyev = requests.get(f"{url}/timeline", params={"actor": str(ID["actor/ilham-aliyev"])})
    dates = re.findall(r'<time datetime="([\d-]+)">', aliyev.text)
    assert dates == ["2023-09-20", "2023-09-21"]  # the two meetings (queries/08)
    assert 'href="/page/digest/2023-09-22#char=' in aliyev.text


def test_dumps_are_gzipped_deterministically(url: str) -> None:
    plain = requests.get(f"{url}/dump.nq").content
    first = requests.get(f"{url}/dump.nq.gz")
    assert first.headers["Content-Type"] == "application/gzip"
    assert first.headers["Content-Disposition"] == 'attachment; filename="voxgraph.nq.gz"'
    assert gzip.decompress(first.content) == plain
    assert requests.get(f"{url}/dump.nq.gz").content == first.content


def test_dumps_answer_conditional_requests(url: str) -> None:
    response = requests.get(f"{url}/dump.trig")
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert requests.get(f"{url}/dump.trig", headers={"If-None-Match": etag}).status_code == 304
    again = requests.get(f"{url}/dump.trig", headers={"If-Modified-Since": modified})
    assert again.status_code == 304
    other = requests.get(f"{url}/dump.nq", headers={"If-None-Match": etag})
    assert other.status_code == 200  # another format, another ETag


def test_one_digest_graph_downloads_on_its_own(url: str) -> None:
    redirect = requests.get(f"{url}/graph/digest/2022-11-04", allow_redirects=False)
    assert redirect.status_code == 303
    response = requests.get(url + redirect.headers["Location"])
    dataset = Dataset()
    dataset.parse(data=response.content, format="trig")
    names = {g.identifier for g in dataset.graphs() if len(g)}
    assert names == {URIRef("https://w3id.org/voxgraph/graph/digest/2022-11-04")}
    ttl = requests.get(f"{url}/graph/digest/2022-11-04.ttl.gz")
    assert len(Graph().parse(data=gzip.decompress(ttl.content), format="turtle")) > 400
    assert requests.get(f"{url}/graph/digest/1999-01-01.ttl").status_code == 404


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Chromium's


@pytest.mark.parametrize("path", ["/.well-known/void", "/sparql"])
def test_the_nav_links_give_a_browser_a_page(url: str, path: str) -> None:
    """VoID and the service description are nav links: a click shows a page, not a download."""
    response = requests.get(url + path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Vary"] == "Accept"
    assert "<h1>" in response.text and "<table>" in response.text
    for client_accept in ("", "*/*", "text/turtle"):  # curl, rdflib, an RDF client: RDF as before
        rdf = requests.get(url + path, headers={"Accept": client_accept})
        assert rdf.headers["Content-Type"].startswith("text/turtle"), client_accept
        assert len(Graph().parse(data=rdf.content, format="turtle")) > 10


def test_the_void_page_says_what_the_rdf_says(url: str) -> None:
    turtle = requests.get(f"{url}/.well-known/void.ttl")
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.content, format="turtle")
    dataset = next(graph.subjects(RDF.type, VOID.Dataset))
    page = requests.get(f"{url}/.well-known/void", headers={"Accept": BROWSER}).text
    assert f"{int(graph.value(dataset, VOID.triples)):,}" in page
    assert '<a href="/ontology#Digest">vox:Digest</a></td><td class="number">5</td>' in page
    for media_type, rdflib_format, ext in RDF_FORMATS:
        by_extension = requests.get(f"{url}/.well-known/void.{ext}")
        assert by_extension.headers["Content-Type"].split(";")[0] == media_type
        assert Graph().parse(data=by_extension.content, format=rdflib_format).isomorphic(graph)
        assert f'href="/.well-known/void.{ext}"' in page  # linked from the page
    assert requests.get(f"{url}/.well-known/void.html").text == page
    assert requests.get(f"{url}/.well-known/void.exe").status_code == 404


def test_the_service_description_lists_the_predeclared_prefixes(url: str) -> None:
    sh = "http://www.w3.org/ns/shacl#"
    graph = Graph().parse(data=requests.get(f"{url}/sparql?format=ttl").content, format="turtle")
    declared = {
        str(graph.value(d, URIRef(sh + "prefix"))): str(graph.value(d, URIRef(sh + "namespace")))
        for d in graph.objects(URIRef(f"{url}/sparql"), URIRef(sh + "declare"))
    }
    assert declared == PREFIXES
    page = requests.get(f"{url}/sparql", headers={"Accept": BROWSER}).text
    for prefix, namespace in PREFIXES.items():
        assert f"<td><code>{prefix}:</code></td><td><code>{namespace}</code></td>" in page


def test_the_readme_lists_the_predeclared_prefixes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for prefix, namespace in PREFIXES.items():
        assert f"| `{prefix}:` | `{namespace}` |" in readme, f"README: add {prefix}: to the table"
