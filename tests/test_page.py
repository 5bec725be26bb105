"""The query page (with JavaScript off: plain GET and server-side tables) and the dumps."""

from __future__ import annotations

import html
import io
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from tests.server_fixtures import (
    DIGEST_1,
    GRAPH_1,
    GRAPH_2,
    SCRIPT_QUOTE,
    sample_graph,
    union_graph,
)
from voxgraph.loader.store.dumps import write_dump
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.server.examples import load_examples

pytest_plugins = ["tests.server_fixtures"]

VOX = "PREFIX vox: <https://w3id.org/voxgraph/ontology#>\n"
DATES = (
    VOX + "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    "SELECT ?digest ?date WHERE { ?digest a vox:Digest ; dcterms:date ?date } ORDER BY ?date"
)


class PageParser(HTMLParser):
    """Collects what the tests look at: tags with their attributes, table cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cells: list[str] = []
        self.textarea = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("td", "textarea"):
            self._in = tag
            if tag == "td":
                self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "td":
            self.cells[-1] += data
        elif self._in == "textarea":
            self.textarea += data

    def attributes(self, tag: str, name: str) -> list[str]:
        return [attrs[name] or "" for t, attrs in self.tags if t == tag and name in attrs]


def page(base_url: str, **params: str) -> tuple[requests.Response, PageParser]:
    response = requests.get(base_url + "/", params=params)
    parser = PageParser()
    parser.feed(response.text)
    return response, parser


def test_page_has_a_query_form(base_url: str) -> None:
    response, parsed = page(base_url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    forms = [
        attrs for tag, attrs in parsed.tags if tag == "form" and attrs.get("id") == "query-form"
    ]
    assert forms and forms[0]["method"] == "get" and forms[0]["action"] == "/"
    assert parsed.textarea == load_examples()[0].body  # as written: /sparql knows the prefixes
    assert parsed.cells == []  # no query, no table


def test_page_links_examples_and_dumps(base_url: str) -> None:
    _, parsed = page(base_url)
    links = parsed.attributes("a", "href")
    assert {"/dump.ttl", "/dump.trig", "/dump.nq", "/dump.nt"} <= set(links)
    examples = [link for link in links if link.startswith("/?query=")]
    assert len(examples) >= 5
    for example in examples:  # every example runs
        assert requests.get(base_url + example).status_code == 200, example


def test_page_uses_nothing_from_elsewhere(base_url: str) -> None:
    """Every script and stylesheet is served here; our own ones name no other site
    (YASGUI's bundle holds IRIs of vocabularies, but the browser test checks it
    fetches nothing from elsewhere)."""
    _, parsed = page(base_url)
    assets = parsed.attributes("script", "src") + parsed.attributes("link", "href")
    assert assets and all(asset.startswith("/static/") for asset in assets)
    for asset in assets:
        response = requests.get(base_url + asset)
        assert response.status_code == 200
        if "/vendor/" not in asset:
            assert not re.search(r"https?://", response.text.replace("http://www.w3.org", ""))


def test_page_says_when_the_editor_is_missing(base_url: str, monkeypatch) -> None:
    monkeypatch.setattr("voxgraph.server.page.EDITOR", Path("/nonexistent/yasgui.min.js"))
    response, parsed = page(base_url)
    assert "YASGUI) is not installed" in response.text
    assert "/static/vendor/yasgui.min.js" not in parsed.attributes("script", "src")
    assert parsed.attributes("form", "action") == ["/search", "/"]  # the plain form still works


def test_examples_come_from_the_library(base_url: str) -> None:
    response, _ = page(base_url)
    text = html.unescape(response.text)
    assert len(load_examples()) >= 15
    for example in load_examples():
        assert example.title in text and example.description in text


def test_query_without_javascript_renders_a_table(base_url: str) -> None:
    response, parsed = page(base_url, query=DATES)
    assert response.status_code == 200
    assert "2022-11-04" in parsed.cells and "2022-11-05" in parsed.cells  # dates as dates
    assert parsed.textarea == DATES  # the query stays in the form
    assert "2 rows" in response.text


def test_values_read_plainly_and_as_rdf_terms_one_click_away(base_url: str) -> None:
    query = (
        'SELECT ?length ?name ?when { BIND("P30D"^^xsd:duration AS ?length) '
        'BIND("Ali Karimli"@en AS ?name) BIND("2023-09-22T10:30:00"^^xsd:dateTime AS ?when) }'
    )
    response, parsed = page(base_url, query=query)
    assert parsed.cells == ["30 days", "Ali Karimli", "2023-09-22 10:30:00"]
    (rdf_view,) = [a for a in parsed.attributes("a", "href") if "view=rdf" in a]
    _, raw = page(base_url, **dict(parse_qsl(rdf_view.removeprefix("/?"))))
    assert raw.cells == ["P30D xsd:duration", "Ali Karimli @en", "2023-09-22T10:30:00 xsd:dateTime"]


def test_table_escapes_html(base_url: str) -> None:
    query = VOX + "SELECT ?quote WHERE { ?s vox:quote ?quote }"
    response, parsed = page(base_url, query=query)
    assert parsed.cells == [SCRIPT_QUOTE]
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(" in response.text


def test_iris_are_links_but_only_safe_ones(base_url: str) -> None:
    query = "SELECT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) }"
    response, parsed = page(base_url, query=query)
    hrefs = parsed.attributes("a", "href")
    assert "/page/digest/2022-11-04" in hrefs  # this project's IRIs open their pages here
    assert "javascript:alert(1)" in parsed.cells  # shown as text ...
    assert not any(href.lower().startswith("javascript:") for href in hrefs)  # ... not a link


def test_construct_renders_triples(base_url: str) -> None:
    response, parsed = page(base_url, query=f"DESCRIBE <{DIGEST_1}>")
    assert response.status_code == 200
    assert "2022-11-04" in parsed.cells
    assert "vox:Digest" in parsed.cells
    assert "subject" in response.text and "predicate" in response.text


def test_relative_iris_resolve_as_they_do_at_the_endpoint(base_url: str) -> None:
    """Against /sparql's URL, so the page's "download" links at /sparql give the same rows."""
    response, parsed = page(base_url, query="SELECT ?x WHERE { BIND(<x> AS ?x) }")
    assert response.status_code == 200, response.text
    assert f"{base_url}/x" in parsed.cells


def test_ask_renders_yes_or_no(base_url: str) -> None:
    response, _ = page(base_url, query=VOX + "ASK { ?d a vox:Digest }")
    assert "yes (true)" in response.text


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("SELECT * WHERE { ?s ?p }", 400, "malformed query"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 403, "read-only"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403, "not allowed"),
    ],
)
def test_refusals_are_shown_on_the_page(
    base_url: str, query: str, status: int, message: str
) -> None:
    response, parsed = page(base_url, query=query)
    assert response.status_code == status
    assert message in response.text
    assert parsed.textarea == query


# -- dumps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "media_type", "rdflib_format"),
    [("ttl", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt")],
)
def test_graph_dumps_hold_the_union(
    base_url: str, fmt: str, media_type: str, rdflib_format: str
) -> None:
    response = requests.get(f"{base_url}/dump.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="voxgraph.{fmt}"'
    assert isomorphic(Graph().parse(data=response.content, format=rdflib_format), union_graph())


@pytest.mark.parametrize(
    ("fmt", "media_type", "rdflib_format"),
    [("trig", "application/trig", "trig"), ("nq", "application/n-quads", "nquads")],
)
def test_dataset_dumps_hold_the_named_graphs(
    base_url: str, fmt: str, media_type: str, rdflib_format: str
) -> None:
    response = requests.get(f"{base_url}/dump.{fmt}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="voxgraph.{fmt}"'
    dataset = Dataset()
    dataset.parse(data=response.content, format=rdflib_format)
    names = {graph.identifier for graph in dataset.graphs() if len(graph)}
    assert names == {GRAPH_1, GRAPH_2}
    for name in names:
        assert isomorphic(dataset.graph(name), sample_graph(name))


def test_turtle_dump_uses_the_project_prefixes(base_url: str) -> None:
    text = requests.get(f"{base_url}/dump.ttl").text
    assert "@prefix vox: <https://w3id.org/voxgraph/ontology#> ." in text
    assert "a vox:Digest" in text


@pytest.mark.parametrize("fmt", ["ttl", "nt", "trig", "nq"])
def test_dumps_are_byte_identical_each_time(
    base_url: str, sample_store: GraphStore, fmt: str
) -> None:
    first = requests.get(f"{base_url}/dump.{fmt}").content
    assert requests.get(f"{base_url}/dump.{fmt}").content == first
    written = io.BytesIO()
    write_dump(sample_store, written, fmt)  # what `voxgraph dump` writes
    assert written.getvalue() == first


def test_dumps_allow_cross_origin_reads(base_url: str) -> None:
    assert requests.get(f"{base_url}/dump.nq").headers["Access-Control-Allow-Origin"] == "*"


def test_unknown_dump_format_is_404(base_url: str) -> None:
    assert requests.get(f"{base_url}/dump.xml").status_code == 404


def test_write_dump_refuses_unknown_formats(sample_store: GraphStore) -> None:
    with pytest.raises(ValueError, match="unknown dump format"):
        write_dump(sample_store, io.BytesIO(), "rdf")


ACCESSIBLE_PAGES = [
    "/",
    "/?query=ASK+%7B%7D",
    "/search",
    "/search?q=Karimli",
    "/sparql",
    "/.well-known/void",
]


@pytest.mark.parametrize("path", ACCESSIBLE_PAGES)
def test_headings_go_in_order_and_every_control_has_a_label(base_url: str, path: str) -> None:
    response = requests.get(base_url + path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    parsed = PageParser()
    parsed.feed(response.text)
    levels = [int(tag[1]) for tag, _ in parsed.tags if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (
        f"a heading skips a level: {levels}"
    )
    labelled = set(parsed.attributes("label", "for"))
    controls = [
        attrs.get("id")
        for tag, attrs in parsed.tags
        if tag in ("input", "textarea", "select") and attrs.get("type") != "hidden"
    ]
    assert all(c in labelled for c in controls), (controls, labelled)
