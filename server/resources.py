"""Linked Data: every IRI minted under https://w3id.org/voxgraph/id/ dereferences here.

We follow the 303 recipe of W3C "Cool URIs for the Semantic Web" (section 4.2):
/id/actor/ali-karimli names the person, not a document, so it answers
303 See Other to a document about it, chosen by the Accept header:

    /id/actor/ali-karimli  --303-->  /page/actor/ali-karimli       (HTML)
                           --303-->  /data/actor/ali-karimli.ttl   (.nt, .rdf, .jsonld)

Each document has its own URL, so it can be bookmarked, cited and cached
without Vary. The evidence spans (digest/2022-11-04#char=10,42) are hash IRIs:
the browser keeps the fragment, so they land on the digest's page at the
highlighted span, and their triples are part of the digest's description.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from markupsafe import Markup, escape

from loader.store import GraphStore
from server import linked_data as ld
from voxgraph.iris import PREFIXES

bp = Blueprint("resources", __name__)

RDF_TYPE = PREFIXES["rdf"] + "type"
VOX = PREFIXES["vox"]
ACTOR_LIKE = {VOX + "Actor", VOX + "Place"}
QUERY_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@dataclass
class Item:
    """A statement or an event as a page lists it."""

    iri: str
    date: str  # when it happened (events with a date) or was reported
    digest: str
    kind: str = ""
    texts: list[str] = field(default_factory=list)  # quotes, paraphrases, roles played
    evidence: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str | None:
        """The digest page at this item's first evidence span."""
        if not self.evidence:
            return None
        begin, end, _ = min(self.evidence)
        return f"{ld.local_href(self.digest)}#char={begin},{end}"


@bp.route("/id/<path:rest>")
def identifier(rest: str) -> Response:
    iri = ld.ID_BASE + rest
    if not exists(store(), iri):
        abort(404)
    chosen = ld.negotiate(request.headers.get("Accept", ""))
    target = f"/page/{rest}" if chosen is None else f"/data/{rest}.{ld.extension(chosen)}"
    response = redirect(target, 303)
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/data/<path:rest>")
def data(rest: str) -> Response:
    name, dot, ext = rest.rpartition(".")
    chosen = ld.format_by_extension(ext) if dot else None
    iri = ld.ID_BASE + name
    if chosen is None or not exists(store(), iri):
        abort(404)
    return Response(
        ld.serialize(ld.describe(store(), iri), chosen), content_type=chosen.content_type
    )


@bp.route("/page/<path:rest>")
def page(rest: str) -> str:
    iri = ld.ID_BASE + rest
    graph = store()
    triples = ld.describe(graph, iri)
    if not triples:
        abort(404)
    node = ox.NamedNode(iri)
    types = {t.object.value for t in triples if t.subject == node and t.predicate.value == RDF_TYPE}
    mentioned = [
        term.value
        for t in triples
        for term in (t.subject, t.object)
        if isinstance(term, ox.NamedNode)
    ]
    names = ld.labels(graph, [iri, *mentioned])
    context = {
        "iri": iri,
        "title": names.get(iri, rest),
        "types": [ox.NamedNode(t) for t in sorted(types)],
        "outgoing": [t for t in triples if t.subject == node],
        "incoming": [t for t in triples if t.object == node],
        "names": names,
        "data_links": [(f.name, f"/data/{rest}.{ld.extension(f)}") for f in ld.GRAPH_FORMATS],
    }
    if VOX + "Digest" in types:
        text = highlighted_text(graph, iri)
        return render_template("digest.html", text=text, local_graph=f"/graph/{rest}", **context)
    if types & ACTOR_LIKE:
        return render_template("actor.html", **actor_context(graph, iri), **context)
    if VOX + "Incident" in types:
        return render_template("incident.html", **incident_context(graph, iri), **context)
    return render_template("resource.html", **context)


@bp.app_context_processor
def helpers() -> dict:
    """For every template: an RDF term as HTML, and where this server shows an IRI."""
    return {"term": term_html, "local": ld.local_href, "ox_iri": ox.NamedNode}


def store() -> GraphStore:
    return current_app.config["VOXGRAPH_STORE"]


def exists(graph: GraphStore, iri: str) -> bool:
    node = ox.NamedNode(iri)
    return any(
        True
        for pattern in ((node, None, None), (None, None, node))
        for _ in graph.ox.quads_for_pattern(*pattern)
    )


def rows(graph: GraphStore, query: str) -> list[dict[str, str]]:
    """SELECT solutions as {variable: value} (unbound variables left out)."""
    return [
        {name: term.value for name, term in row.items()}
        for row in ld.select(graph, QUERY_PROLOGUE + query)
    ]


def actor_context(graph: GraphStore, iri: str) -> dict:
    """Aliases, roles, Wikidata links, statements and events of an actor or place."""
    me = f"<{iri}>"
    evidence = """OPTIONAL { ?x vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e ;
                                nif:anchorOf ?anchor }"""
    statements = rows(
        graph,
        f"""SELECT ?x ?digest ?date ?text ?b ?e ?anchor WHERE {{
              ?x vox:speaker {me} ; vox:reportedIn ?digest . ?digest dcterms:date ?date .
              OPTIONAL {{ ?x vox:quote|vox:paraphrase ?text }} {evidence} }}""",
    )
    events = rows(
        graph,
        f"""SELECT ?x ?digest ?date ?text ?kind ?b ?e ?anchor WHERE {{
              ?x ?how {me} ; a ?class ; vox:reportedIn ?digest .
              VALUES ?how {{ vox:agent vox:affected vox:participant vox:place }}
              FILTER(?class != vox:Event)
              BIND(STRAFTER(STR(?how), "#") AS ?text)
              BIND(STRAFTER(STR(?class), "#") AS ?kind)
              ?digest dcterms:date ?reported .
              OPTIONAL {{ ?x vox:date ?happened }}
              BIND(COALESCE(STR(?happened), STR(?reported)) AS ?date)
              {evidence} }}""",
    )
    roles = rows(
        graph,
        f"""SELECT DISTINCT ?title ?digest ?b ?e WHERE {{
              {me} vox:role ?r . ?r vox:roleTitle ?title .
              OPTIONAL {{ ?r vox:reportedIn ?digest }}
              OPTIONAL {{ ?r vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e }}
            }} ORDER BY LCASE(?title) ?digest""",
    )
    links = rows(
        graph,
        f"""SELECT DISTINCT ?item ?verified WHERE {{
              {{ {me} owl:sameAs ?item BIND(true AS ?verified) }}
              UNION {{ {me} vox:wikidataCandidate ?item BIND(false AS ?verified) }}
            }} ORDER BY ?item""",
    )
    aliases = rows(
        graph, f"SELECT DISTINCT ?alias WHERE {{ {me} skos:altLabel ?alias }} ORDER BY ?alias"
    )
    history = rows(
        graph,
        f"""SELECT ?incident ?label ?kind ?first (COUNT(DISTINCT ?digest) AS ?digests)
                   (SAMPLE(?next) AS ?next) (SAMPLE(?nextLabel) AS ?nextLabel) WHERE {{
              ?incident vox:affected {me} ; rdfs:label ?label ; vox:eventClass ?class ;
                        vox:firstReported ?first ; vox:report/vox:reportedIn ?digest .
              BIND(STRAFTER(STR(?class), "#") AS ?kind)
              OPTIONAL {{ ?incident vox:nextInCase ?next . ?next rdfs:label ?nextLabel }}
            }} GROUP BY ?incident ?label ?kind ?first ORDER BY ?first ?label""",
    )
    return {
        "aliases": [r["alias"] for r in aliases],
        "roles": [
            (
                r["title"],
                r.get("digest"),
                f"{ld.local_href(r['digest'])}#char={r['b']},{r['e']}" if "b" in r else None,
            )
            for r in roles
        ],
        "wikidata": [(r["item"], r["verified"] == "true") for r in links],
        "statements": items(statements),
        "events": items(events),
        "history": history,
    }


def incident_context(graph: GraphStore, iri: str) -> dict:
    """An incident's reports (digest, date, sentence) and its neighbours in a case."""
    me = f"<{iri}>"
    reports = rows(
        graph,
        f"""SELECT ?x ?digest ?date ?kind ?b ?e ?anchor WHERE {{
              {me} vox:report ?x . ?x vox:reportedIn ?digest . ?digest dcterms:date ?date .
              {me} vox:eventClass ?class . BIND(STRAFTER(STR(?class), "#") AS ?kind)
              OPTIONAL {{ ?x vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e ;
                                                    nif:anchorOf ?anchor }} }}""",
    )
    case = rows(
        graph,
        f"""SELECT ?other ?label ?direction WHERE {{
              {{ {me} vox:nextInCase ?other BIND("next" AS ?direction) }}
              UNION {{ ?other vox:nextInCase {me} BIND("previous" AS ?direction) }}
              ?other rdfs:label ?label }} ORDER BY ?direction ?label""",
    )
    return {
        "reports": sorted(items(reports), key=lambda i: (i.date, i.iri)),
        "case": [(r["direction"], r["other"], r["label"]) for r in case],
    }


def items(solutions: list[dict[str, str]]) -> list[Item]:
    """Rows grouped by ?x into items, newest first."""
    grouped: dict[str, Item] = {}
    for row in solutions:
        item = grouped.setdefault(
            row["x"], Item(row["x"], row["date"], row["digest"], row.get("kind", ""))
        )
        if "text" in row and row["text"] not in item.texts:
            item.texts.append(row["text"])
        if "b" in row:
            span = (int(row["b"]), int(row["e"]), row["anchor"])
            if span not in item.evidence:
                item.evidence.append(span)
    for item in grouped.values():
        item.evidence.sort()
    return sorted(grouped.values(), key=lambda i: (i.date, i.iri), reverse=True)


def highlighted_text(graph: GraphStore, digest: str) -> Markup:
    """The digest's text, every evidence span of a statement or event marked and linked.

    Spans may overlap, so the text is cut at every span boundary and each piece
    is marked with the kinds of the spans covering it. All text is escaped.
    """
    found = rows(graph, f"SELECT ?text WHERE {{ <{digest}> vox:text ?text }}")
    if not found:
        return Markup("")
    text = found[0]["text"]
    spans = rows(
        graph,
        f"""SELECT DISTINCT ?x ?kind ?b ?e WHERE {{
              ?x vox:evidence ?ev . ?ev nif:referenceContext <{digest}> ;
              nif:beginIndex ?b ; nif:endIndex ?e .
              OPTIONAL {{ ?x a vox:Statement BIND("statement" AS ?statement) }}
              OPTIONAL {{ ?x a vox:Event BIND("event" AS ?event) }}
              BIND(COALESCE(?statement, ?event, "role") AS ?kind)
            }}""",
    )
    starts: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    cuts = {0, len(text)}
    for span in spans:
        begin, end = int(span["b"]), int(span["e"])
        starts[begin].append((end, span["kind"], span["x"]))
        cuts |= {begin, end}
    pieces: list[str] = []
    anchored: set[str] = set()
    ordered = sorted(c for c in cuts if 0 <= c <= len(text))
    for begin, end in zip(ordered, ordered[1:], strict=False):
        for span_end, kind, item in sorted(starts.get(begin, [])):
            anchor = f"char={begin},{span_end}"
            id_attribute = "" if anchor in anchored else f' id="{anchor}"'
            anchored.add(anchor)
            pieces.append(
                f'<a class="marker {kind}"{id_attribute} href="{escape(ld.local_href(item))}" '
                f'title="{kind}">{kind[0].upper()}</a>'
            )
        kinds = sorted(
            {
                kind
                for b, ends in starts.items()
                if b <= begin
                for e, kind, _ in ends
                if e >= end and kind != "role"
            }
        )
        piece = escape(text[begin:end])
        pieces.append(f'<mark class="{" ".join(kinds)}">{piece}</mark>' if kinds else str(piece))
    return Markup("".join(pieces))


def term_html(term: ox.NamedNode | ox.BlankNode | ox.Literal, names: dict[str, str]) -> Markup:
    """One RDF term as HTML: IRIs linked (to this server where it describes them)."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        href = ld.local_href(iri) or (iri if iri.startswith(("http://", "https://")) else None)
        text = escape(names.get(iri, ld.short_iri(iri)))
        if href is None:
            return Markup(f'<span title="{escape(iri)}">{text}</span>')
        return Markup(f'<a href="{escape(href)}" title="{escape(iri)}">{text}</a>')
    if isinstance(term, ox.BlankNode):
        return Markup(f"<span>_:{escape(term.value)}</span>")
    note = f"@{term.language}" if term.language else ld.short_iri(term.datatype.value)
    small = "" if note == "xsd:string" else f" <small>{escape(note)}</small>"
    return Markup(f"<span>{escape(term.value)}</span>{small}")
