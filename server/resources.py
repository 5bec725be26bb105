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

import re
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
import werkzeug
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from markupsafe import Markup, escape

from voxgraph import iris
from voxgraph.iris import PREFIXES
from voxgraph.loader.store import Store
from voxgraph.server import linked_data as ld
from voxgraph.server import paging
from voxgraph.server.cache import kept_list
from voxgraph.server.linked_data import VOX, rows
from voxgraph.server.reading import highlighted_text, item_facts, long_date

bp = Blueprint("resources", __name__)

RDF_TYPE = PREFIXES["rdf"] + "type"
RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)
REGISTRY_GRAPH = ox.NamedNode(str(iris.REGISTRY_GRAPH))
TRIPLES_READ = 100  # quads read each way for a page's table of triples (the data has all)
ROLE_DIGESTS_SHOWN = 3
DIGEST_ITEM = re.compile(re.escape(ld.ID_BASE) + r"digest/(\d{4}-\d{2}-\d{2})[^/#]*/")
ACTOR_LIKE = {VOX + "Actor", VOX + "Place"}


@dataclass
class Item:
    """A statement or an event as a page lists it."""

    iri: str
    date: str  # when it happened (events with a date) or was reported
    digest: str
    kind: str = ""
    # (how, text): a quote, a paraphrase (the digest's account, never shown as a quote)
    # or the role the actor played in an event
    texts: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def anchor(self) -> str | None:
        """The digest page at this item's first evidence span."""
        if not self.evidence:
            return None
        begin, end, _ = min(self.evidence)
        return f"{ld.local_href(self.digest)}#char={begin},{end}"


@bp.route("/id/<path:rest>")
def identifier(rest: str) -> werkzeug.Response:
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
    number = paging.page_number("page")
    triples, more = ld.describe(store(), iri, number)
    if not triples and number > 1:
        abort(404)
    links = []  # a long description comes in pages (as W3C's Linked Data Platform Paging)
    if more:
        links.append(f'<{paging.link(page=number + 1)}>; rel="next"')
    if number > 1:
        links.append(f'<{paging.link(page=number - 1 if number > 2 else None)}>; rel="prev"')
        links.append(f'<{paging.link(page=None)}>; rel="first"')
    response = Response(ld.serialize(triples, chosen), content_type=chosen.content_type)
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


@bp.route("/page/<path:rest>")
def page(rest: str) -> str:
    iri = ld.ID_BASE + rest
    graph = store()
    outgoing, incoming = ld.around(graph, iri, limit=TRIPLES_READ)
    if not outgoing and not incoming:
        abort(404)
    node = ox.NamedNode(iri)
    types = types_of(graph, iri, [q.graph_name for q in outgoing[:1]])
    shown_out = distinct_triples(outgoing)
    shown_in = distinct_triples(incoming)
    seen = [(iri, q.graph_name) for q in outgoing[:1]] + [
        (term.value, q.graph_name)
        for q in (*outgoing, *incoming)
        for term in (q.subject, q.object)
        if isinstance(term, ox.NamedNode)
    ]
    names = ld.labels(graph, seen)
    context = {
        "iri": iri,
        "title": names.get(iri, rest),
        "types": [ox.NamedNode(t) for t in sorted(types)],
        "outgoing": [t for t in shown_out if t.subject == node],
        "incoming": [t for t in shown_in if t.object == node],
        "more_triples": len(outgoing) >= TRIPLES_READ or len(incoming) >= TRIPLES_READ,
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
    if VOX + "Statement" in types or VOX + "Event" in types:
        said = VOX + "Statement" in types
        facts = item_facts(graph, iri, outgoing, types, names)
        if iri not in names:  # statements and events have no label: say what they are
            context["title"] = facts.heading(said)
        return render_template("statement.html" if said else "event.html", facts=facts, **context)
    return render_template("resource.html", **context)


def distinct_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The triples of `quads` once each, sorted (several graphs may state one triple)."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def types_of(graph: Store, iri: str, graphs: list) -> set[str]:
    """The classes of `iri` as the registry states them, else as the graph it was first
    found in does (an actor's types are stated again in every digest that names it)."""
    node = ox.NamedNode(iri)
    for where in [REGISTRY_GRAPH, *graphs]:
        found = {
            q.object.value
            for q in graph.quads_for_pattern(node, RDF_TYPE_NODE, None, where)
            if isinstance(q.object, ox.NamedNode)
        }
        if found:
            return found
    return set()


@bp.app_context_processor
def helpers() -> dict:
    """For every template: an RDF term as HTML, and where this server shows an IRI."""
    return {
        "term": term_html,
        "local": ld.local_href,
        "ox_iri": ox.NamedNode,
        "long_date": long_date,
    }


def store() -> Store:
    return current_app.config["VOXGRAPH_STORE"]


def exists(graph: Store, iri: str) -> bool:
    """Whether any quad has `iri` as subject or object: at most two index seeks."""
    node = ox.NamedNode(iri)
    return any(
        True
        for pattern in ((node, None, None), (None, None, node))
        for _ in graph.quads_for_pattern(*pattern, limit=1)
    )


def actor_context(graph: Store, iri: str) -> dict:
    """Aliases, roles, Wikidata links, and a page each of statements and events of an
    actor or place, newest first.

    Every query names the graph the triples are in (GRAPH ?g): an actor's label and
    types are stated again in every digest that names it, so in the union they
    would come back once per digest. To order and count its statements and events
    the page reads one row per item (the actor's own index entries), kept for the
    next pages of the same actor (server/cache.kept_list); the rest is read for the
    items shown only.
    """
    me = f"<{iri}>"
    size = paging.page_size()
    statement_keys = kept_list(
        graph,
        f"statements of {iri}",
        lambda: sorted(
            dated_keys(graph, rows(graph, f"SELECT ?x WHERE {{ ?x vox:speaker {me} }}"), "x"),
            reverse=True,
        ),
    )
    event_keys = kept_list(
        graph,
        f"events of {iri}",
        lambda: sorted(
            dated_keys(
                graph,
                rows(
                    graph,
                    f"""SELECT ?x ?happened WHERE {{
                          {{ ?x vox:agent {me} }} UNION {{ ?x vox:affected {me} }}
                          UNION {{ ?x vox:participant {me} }} UNION {{ ?x vox:place {me} }}
                          # not the incidents, which name them too; a test per row (a
                          # join would read every event of the store first)
                          FILTER EXISTS {{ ?x a vox:Event }}
                          OPTIONAL {{ ?x vox:date ?happened }} }}""",
                ),
                "x",
            ),
            reverse=True,
        ),
    )
    statements = Listing.of(statement_keys, "statements", size)
    events = Listing.of(event_keys, "events", size)
    statement_rows = rows(
        graph,
        f"""SELECT ?x ?digest ?date ?text ?how WHERE {{
              VALUES ?x {{ {statements.values()} }}
              ?x vox:reportedIn ?digest . ?digest dcterms:date ?date .
              OPTIONAL {{ {{ ?x vox:quote ?text BIND("quote" AS ?how) }}
                UNION {{ ?x vox:paraphrase ?text BIND("paraphrase" AS ?how) }} }} }}""",
    )
    event_rows = rows(
        graph,
        f"""SELECT ?x ?digest ?date ?text ?kind WHERE {{
              VALUES ?x {{ {events.values()} }}
              ?x a ?class ; vox:reportedIn ?digest . FILTER(?class != vox:Event)
              ?x ?role {me} .
              FILTER(?role IN (vox:agent, vox:affected, vox:participant, vox:place))
              BIND(STRAFTER(STR(?role), "#") AS ?text)
              BIND(STRAFTER(STR(?class), "#") AS ?kind)
              ?digest dcterms:date ?reported .
              OPTIONAL {{ ?x vox:date ?happened }}
              BIND(COALESCE(STR(?happened), STR(?reported)) AS ?date) }}""",
    )
    # Evidence in a query of its own: an OPTIONAL over variables the rest may leave
    # unbound is evaluated over the whole store first.
    spans = rows(
        graph,
        f"""SELECT ?x ?b ?e ?anchor WHERE {{
              VALUES ?x {{ {statements.values()} {events.values()} }}
              ?x vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?anchor
            }}""",
    )
    roles = rows(
        graph,
        f"""SELECT DISTINCT ?title ?digest ?b ?e WHERE {{
              GRAPH ?g {{ {me} vox:role ?r . ?r vox:roleTitle ?title .
                OPTIONAL {{ ?r vox:reportedIn ?digest }}
                OPTIONAL {{ ?r vox:evidence ?ev . ?ev nif:beginIndex ?b ; nif:endIndex ?e }} }}
            }}""",
    )
    links = rows(
        graph,
        f"""SELECT DISTINCT ?item ?verified ?source WHERE {{
              {{ {me} owl:sameAs ?item BIND(true AS ?verified) }}
              UNION {{ {me} vox:wikidataCandidate ?item BIND(false AS ?verified) }}
              OPTIONAL {{ {me} vox:wikidataLink ?link . ?link vox:linkedItem ?item ;
                                                          dcterms:source ?source }}
            }} ORDER BY ?item""",
    )
    aliases = rows(
        graph, f"SELECT DISTINCT ?alias WHERE {{ {me} skos:altLabel ?alias }} ORDER BY ?alias"
    )
    # The person's history: their incidents (loader/store/consolidate.py) oldest first, a page
    # at a time like the events (one index row per incident, kept for the next pages).
    history_keys = kept_list(
        graph,
        f"history of {iri}",
        lambda: sorted(
            (r["first"], r["incident"])
            for r in rows(
                graph,
                f"""SELECT ?incident ?first WHERE {{
                      ?incident vox:affected {me} ; vox:firstReported ?first }}""",
            )
        ),
    )
    history_pages = Listing.of(history_keys, "history", size)
    history = (
        rows(
            graph,
            f"""SELECT ?incident ?label ?kind ?first (COUNT(DISTINCT ?digest) AS ?digests)
                   (SAMPLE(?next) AS ?next) (SAMPLE(?nextLabel) AS ?nextLabel) WHERE {{
              VALUES ?incident {{ {history_pages.values()} }}
              ?incident rdfs:label ?label ; vox:eventClass ?class ;
                        vox:firstReported ?first ; vox:report/vox:reportedIn ?digest .
              BIND(STRAFTER(STR(?class), "#") AS ?kind)
              OPTIONAL {{ ?incident vox:nextInCase ?next . ?next rdfs:label ?nextLabel }}
            }} GROUP BY ?incident ?label ?kind ?first ORDER BY ?first ?label""",
        )
        if history_pages.keys
        else []
    )
    return {
        "aliases": [r["alias"] for r in aliases],
        "roles": role_groups(roles),
        "wikidata": [(r["item"], r["verified"] == "true", r.get("source")) for r in links],
        "statements": items(statement_rows + spans),
        "events": items(event_rows + spans),
        "statement_pages": statements,
        "event_pages": events,
        "timeline_link": "/timeline?" + urlencode({"actor": iri}),
        "history": history,
        "history_pages": history_pages,
    }


def incident_context(graph: Store, iri: str) -> dict:
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


@dataclass
class Listing:
    """One page of an actor's statements or events: which, and the links around it."""

    keys: list[str]  # the IRIs on this page
    total: int
    number: int  # 1-based
    size: int
    parameter: str  # the query parameter holding the page number

    @classmethod
    def of(cls, ordered: list[tuple[str, str]], parameter: str, size: int) -> Listing:
        """The page asked for of `ordered` (date, IRI) keys, newest first."""
        pages = max(1, -(-len(ordered) // size))
        number = min(paging.page_number(parameter), pages)
        shown = ordered[(number - 1) * size : number * size]
        return cls([iri for _, iri in shown], len(ordered), number, size, parameter)

    def values(self) -> str:
        return " ".join(f"<{iri}>" for iri in self.keys)

    @property
    def first(self) -> int:
        return (self.number - 1) * self.size + 1 if self.keys else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.keys)

    @property
    def newer(self) -> str | None:
        return paging.link(**{self.parameter: self.number - 1}) if self.number > 1 else None

    @property
    def older(self) -> str | None:
        more = self.number * self.size < self.total
        return paging.link(**{self.parameter: self.number + 1}) if more else None


def dated_keys(
    graph: Store, solutions: list[dict[str, str]], item: str = "event", own: str = "happened"
) -> set[tuple[str, str]]:
    """(day, IRI) of each item of `solutions`: its own date (variable `own`) where it has
    one, else the date of the digest that reported it. That date begins the item's IRI
    (.../digest/2030-01-05/event/229: voxgraph/iris.py mints them so), which saves a
    join per item; the store is asked only for an IRI minted otherwise."""
    keys: set[tuple[str, str]] = set()
    unknown: set[str] = set()
    for row in solutions:
        iri = row[item]
        found = DIGEST_ITEM.match(iri)
        if own in row:
            keys.add((row[own], iri))
        elif found:
            keys.add((found.group(1), iri))
        else:
            unknown.add(iri)
    if unknown:
        values = " ".join(f"<{iri}>" for iri in sorted(unknown))
        for row in rows(
            graph,
            f"""SELECT ?x ?date WHERE {{ VALUES ?x {{ {values} }}
                  ?x vox:reportedIn ?d . ?d dcterms:date ?date }}""",
        ):
            keys.add((row["date"], row["x"]))
    return keys


def role_groups(solutions: list[dict[str, str]]) -> list[tuple[str, bool, list, int]]:
    """Roles by title: (title, stated by the registry, the latest few (digest, anchor), how
    many more digests state it)."""
    by_title: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in solutions:
        by_title[row["title"]].append(row)
    groups = []
    for title in sorted(by_title, key=str.lower):
        found = by_title[title]
        stated = sorted(
            {
                (
                    r["digest"],
                    f"{ld.local_href(r['digest'])}#char={r['b']},{r['e']}" if "b" in r else None,
                )
                for r in found
                if "digest" in r
            },
            key=lambda pair: (pair[0], pair[1] or ""),
            reverse=True,
        )
        registry = any("digest" not in r for r in found)
        groups.append(
            (title, registry, stated[:ROLE_DIGESTS_SHOWN], len(stated) - ROLE_DIGESTS_SHOWN)
        )
    return groups


def items(solutions: list[dict[str, str]]) -> list[Item]:
    """Rows grouped by ?x into items, newest first; rows with a span (?b) only add it to
    an item the other rows made."""
    grouped: dict[str, Item] = {}
    for row in solutions:
        if "date" in row:
            item = grouped.setdefault(
                row["x"], Item(row["x"], row["date"], row["digest"], row.get("kind", ""))
            )
            said = (row.get("how", "role"), row["text"]) if "text" in row else None
            if said is not None and said not in item.texts:
                item.texts.append(said)
    for row in solutions:
        spanned = grouped.get(row["x"])
        if spanned is not None and "b" in row:
            span = (int(row["b"]), int(row["e"]), row["anchor"])
            if span not in spanned.evidence:
                spanned.evidence.append(span)
    for item in grouped.values():
        item.evidence.sort()
    return sorted(grouped.values(), key=lambda i: (i.date, i.iri), reverse=True)


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
