"""The reading pages as a journalist uses them, against the bundled corpus served on a real
port: the digest keeps its paragraphs and headings and marks what was read from it by kind;
an event's or a statement's page says in words what happened or who said what, links every
actor, and quotes the digest with a link to the place; and a paraphrase never looks like a
quote. What a page must say is read from the store, not written here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from tests.server_fixtures import serving_store
from voxgraph.iris import ID, PREFIXES, VOX
from voxgraph.loader import pipeline
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS
from voxgraph.server.linked_data import select

DAY = "2022-11-04"
DIGEST = ID[f"digest/{DAY}"]
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
QUOTE_MARKS = "\"'“”‘’«»„"
INLINE_HEADINGS = Path(__file__).parent / "fixtures" / "digests" / "inline-headings.txt"


@pytest.fixture(scope="module")
def url(corpus_store: GraphStore) -> Iterator[str]:
    with serving_store(corpus_store) as base:
        yield base


@dataclass(frozen=True)
class Element:
    tag: str
    attrs: dict[str, str]
    text: str  # its text, without the markers' letters (a.marker)
    ancestors: tuple[tuple[str, str], ...]  # (tag, class) of the elements around it

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def inside(self, *tags: str) -> bool:
        return any(tag in tags for tag, _ in self.ancestors)


class Outline(HTMLParser):
    """A page's elements with their text and the elements around them; `misnested` counts
    end tags that closed something other than the innermost open element."""

    EMPTY = {"meta", "link", "br", "img", "input", "hr", "wbr", "source"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.elements: list[Element] = []
        self.misnested = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.EMPTY:
            self.open.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            self.misnested += 1
            return
        name, attrs, parts = self.open.pop()
        around = tuple((t, a.get("class", "")) for t, a, _ in self.open)
        self.elements.append(Element(name, attrs, "".join(parts), around))

    def handle_data(self, data: str) -> None:
        if any("marker" in a.get("class", "").split() for _, a, _ in self.open):
            return
        for _, _, parts in self.open:
            parts.append(data)

    def find(self, tag: str, cls: str | None = None, within: str | None = None) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag
            and (cls is None or cls in e.classes)
            and (within is None or any(within in c.split() for _, c in e.ancestors))
        ]


def outline(url: str, path: str) -> Outline:
    response = requests.get(url + path, timeout=30)
    assert response.status_code == 200, f"{path} answered {response.status_code}"
    return Outline(response.text)


def page_of(iri: str) -> str:
    return "/page/" + iri.removeprefix(str(ID))


def query(store: GraphStore, text: str) -> list[dict[str, str]]:
    return [{k: t.value for k, t in row.items()} for row in select(store, PROLOGUE + text)]


def test_the_digest_page_keeps_paragraphs_and_section_headings(url: str) -> None:
    parsed = read_digest(CORPUS / f"{DAY}.txt")
    page = outline(url, f"/page/digest/{DAY}")
    assert page.misnested == 0, "the digest's marks are not properly nested"
    headings = [h.text for h in page.find("h2", within="digest-text")]
    assert headings == [s.title for s in parsed.sections if s.title], "section headings lost"
    shown = [p.text for p in page.find("p", within="digest-text")]
    for paragraph in parsed.paragraphs():
        assert paragraph.text in shown, f"paragraph not kept whole: {paragraph.text[:60]!r}"


def test_an_older_issue_s_inline_headings_become_headings(tmp_path: Path) -> None:
    """Older issues open a paragraph with its section's title ("Human rights. Activists
    ..."): the page shows the title as a heading and the paragraph after it."""
    store = GraphStore(tmp_path / "store")
    assert pipeline.run([INLINE_HEADINGS], store).ok
    parsed = read_digest(INLINE_HEADINGS)
    with serving_store(store) as base:
        page = outline(base, f"/page/digest/{parsed.date.isoformat()}")
    headings = [h.text for h in page.find("h2", within="digest-text")]
    assert headings == [s.title for s in parsed.sections], headings
    shown = [p.text for p in page.find("p", within="digest-text")]
    for section in parsed.sections:
        first = section.paragraphs[0].sentences[0].text
        assert any(p.startswith(first) for p in shown), f"no paragraph opens with {first!r}"


def test_the_digest_page_marks_each_span_once_by_kind(url: str, corpus_store: GraphStore) -> None:
    page = outline(url, f"/page/digest/{DAY}")
    marks = page.find("mark", within="digest-text")
    read = {"statement", "event"}
    # What colours a piece of text: its mark's kinds and those of the marks around it.
    shown = {
        frozenset(
            read & (m.classes | {k for t, c in m.ancestors if t == "mark" for k in c.split()})
        )
        for m in marks
    }
    for kinds in ({"statement"}, {"event"}, {"statement", "event"}):
        assert kinds in shown, f"no text marked as read for {' and '.join(sorted(kinds))}"
    spans = query(
        corpus_store,
        f"""SELECT DISTINCT ?b ?e WHERE {{ ?x vox:evidence ?ev .
              ?ev nif:referenceContext <{DIGEST}> ; nif:beginIndex ?b ; nif:endIndex ?e }}""",
    )
    ids = [m.attrs["id"] for m in marks if "id" in m.attrs]
    assert sorted(ids) == sorted(f"char={s['b']},{s['e']}" for s in spans), (
        "each evidence span must be the target of its links exactly once"
    )


def test_an_event_page_says_what_happened_and_links_its_actors(
    url: str, corpus_store: GraphStore
) -> None:
    events = query(
        corpus_store,
        f"""SELECT ?event (SAMPLE(?when) AS ?date) WHERE {{
              ?event a vox:Event ; vox:reportedIn <{DIGEST}> . OPTIONAL {{ ?event vox:date ?when }}
            }} GROUP BY ?event ORDER BY ?event""",
    )
    assert events, "the corpus digest has no events"
    for event in events:
        page = outline(url, page_of(event["event"]))
        (what,) = page.find("p", "what")
        actors = query(
            corpus_store,
            f"""SELECT DISTINCT ?actor WHERE {{ <{event["event"]}>
                  vox:agent|vox:affected|vox:participant|vox:place ?actor }}""",
        )
        links = {a.attrs["href"] for a in page.find("a", "actor") if a.inside("p")}
        for actor in actors:
            assert page_of(actor["actor"]) in links, f"{event['event']}: no link to {actor}"
        assert ("date not stated" in what.text) == ("date" not in event), what.text
        spans = query(
            corpus_store,
            f"""SELECT ?b ?e ?anchor WHERE {{ <{event["event"]}> vox:evidence ?ev .
                  ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor }}""",
        )
        quoted = [b.text for b in page.find("blockquote") if b.inside("figure")]
        sources = {a.attrs["href"] for a in page.find("a") if a.inside("figcaption")}
        for span in spans:
            assert any(span["anchor"].strip() in q for q in quoted), f"{span} not quoted"
            assert f"/page/digest/{DAY}#char={span['b']},{span['e']}" in sources


def test_a_statement_page_says_who_said_it_how_and_where(
    url: str, corpus_store: GraphStore
) -> None:
    statements = query(
        corpus_store,
        f"""SELECT ?s ?speaker ?quote ?paraphrase ?medium WHERE {{
              ?s a vox:Statement ; vox:reportedIn <{DIGEST}> ; vox:speaker ?speaker .
              OPTIONAL {{ ?s vox:quote ?quote }} OPTIONAL {{ ?s vox:paraphrase ?paraphrase }}
              OPTIONAL {{ ?s vox:medium/skos:prefLabel ?medium }} }} ORDER BY ?s""",
    )
    assert statements, "the corpus digest has no statements"
    for row in statements:
        page = outline(url, page_of(row["s"]))
        (what, *_) = page.find("p", "what")
        assert page_of(row["speaker"]) in {a.attrs["href"] for a in page.find("a", "actor")}
        assert row.get("medium", "") in what.text
        facts = " ".join(d.text for d in page.find("dd"))
        assert "date not stated" in facts and "reported in the digest of 4 November 2022" in facts
        if "quote" in row:
            assert row["quote"] in [q.text for q in page.find("q", "quote")]
        if "paraphrase" in row:
            assert row["paraphrase"] in [
                p.text.removeprefix("paraphrase ") for p in page.find("span", "paraphrase")
            ]
        assert any(f"/page/digest/{DAY}#char=" in a.attrs.get("href", "") for a in page.find("a"))


def test_no_paraphrase_is_shown_as_a_quote(url: str, corpus_store: GraphStore) -> None:
    """On every statement's page and its speaker's page: a paraphrase is in an element of
    class "paraphrase", never in <q> nor between quotation marks, and no <q> holds one.
    A <blockquote> may hold one only as the digest's own sentence, cited (figure.evidence,
    cite= the span in the digest): those are the digest's words, not the speaker's."""
    said = query(
        corpus_store,
        "SELECT ?s ?speaker ?said WHERE { ?s vox:paraphrase ?said ; vox:speaker ?speaker }",
    )
    assert said, "the corpus has no paraphrases"
    paraphrases = {row["said"] for row in said}
    pages = sorted({page_of(r["s"]) for r in said} | {page_of(r["speaker"]) for r in said})
    for path in pages:
        page = outline(url, path)
        shown = [e for e in page.find("span", "paraphrase") if "legend" not in str(e.ancestors)]
        for element in shown:
            assert not element.inside("q", "blockquote"), f"{path}: paraphrase in a quote element"
            words = element.text.removeprefix("paraphrase ")
            assert words in paraphrases, f"{path}: a paraphrase shown with more: {words[:60]!r}"
            assert not (words[:1] in QUOTE_MARKS and words[-1:] in QUOTE_MARKS), (
                f"{path}: paraphrase between quotation marks: {words[:60]!r}"
            )
        for q in page.find("q"):
            assert not any(p in q.text for p in paraphrases), f"{path}: <q> holds a paraphrase"
        for block in page.find("blockquote"):
            if any(p in block.text for p in paraphrases):
                assert block.inside("figure") and "#char=" in block.attrs.get("cite", ""), (
                    f"{path}: a paraphrase in a blockquote that is not the digest's cited text"
                )
    karimli = outline(url, "/page/actor/ali-karimli")
    assert karimli.find("span", "paraphrase") and karimli.find("p", "speech"), (
        "the actor page shows no paraphrase, or no legend telling quote from paraphrase"
    )


@pytest.mark.parametrize("kind", ["Event", "Statement"])
def test_statements_and_events_stay_rdf_by_content_negotiation(
    url: str, corpus_store: GraphStore, kind: str
) -> None:
    (row,) = query(corpus_store, f"SELECT ?x WHERE {{ ?x a vox:{kind} }} ORDER BY ?x LIMIT 1")
    rest = row["x"].removeprefix(str(ID))
    response = requests.get(f"{url}/id/{rest}", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.history[0].status_code == 303
    assert response.url.endswith(f"/data/{rest}.ttl")
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(row["x"]), RDF.type, VOX[kind]) in graph
