"""The VoID description of the data set at /.well-known/void (RFC 5785; https://www.w3.org/TR/void/).

Counts are over the union of all graphs, each triple counted once. They are not
counted here: the loader keeps them with the data, in the same transaction as each
digest (loader/store/statistics.py), so this reads one small record. A store without
statistics (never loaded by `voxgraph load`) gets a description without counts.
Turtle by default; N-Triples, RDF/XML and JSON-LD by content negotiation or by
extension (/.well-known/void.ttl, .nt, .rdf, .jsonld). A browser (an Accept that
names HTML and prefers it) gets the same description as a page, also at
/.well-known/void.html.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from voxgraph.iris import PREFIXES
from voxgraph.loader.store import Store
from voxgraph.server.errors import NotAcceptable
from voxgraph.server.formats import GRAPH_FORMATS, Wanted, choose
from voxgraph.server.linked_data import (
    HTML,
    ID_BASE,
    extension,
    format_by_extension,
    local_href,
    negotiate,
    serialize,
    short_iri,
)

bp = Blueprint("void", __name__)

VOID = "http://rdfs.org/ns/void#"
DCTERMS = PREFIXES["dcterms"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
DUMPS = ("dump.ttl", "dump.nt", "dump.trig", "dump.nq")


def void_url(host_url: str) -> str:
    return host_url.rstrip("/") + "/.well-known/void"


@bp.route("/.well-known/void", defaults={"ext": None})
@bp.route("/.well-known/void.<ext>")
def void(ext: str | None) -> Response:
    accept = request.headers.get("Accept", "")
    triples = description(current_app.config["VOXGRAPH_STORE"], request.host_url.rstrip("/"))
    if ext == "html" or (ext is None and wants_html(accept)):
        html = render_template("void.html", **page_context(triples, request.host_url.rstrip("/")))
        headers = {} if ext else {"Vary": "Accept"}
        return Response(html, content_type="text/html; charset=utf-8", headers=headers)
    if ext is not None:
        chosen = format_by_extension(ext)
        if chosen is None:
            abort(404)
    else:
        try:
            chosen = choose(GRAPH_FORMATS, Wanted(accept=accept))
        except NotAcceptable as error:
            return Response(error.message + "\n", 406, content_type="text/plain; charset=utf-8")
    return Response(
        serialize(triples, chosen, {"void": VOID}),
        content_type=chosen.content_type,
        headers={} if ext else {"Vary": "Accept"},
    )


def wants_html(accept: str) -> bool:
    """Whether `accept` names HTML and prefers it to every RDF format: a browser. A client
    that names no HTML (curl's */*, or none) gets RDF, as before there was a page."""
    named = parse_accept_header(accept, MIMEAccept)
    names_html = any(value.lower() in HTML and quality > 0 for value, quality in named)
    return names_html and negotiate(accept) is None


FORMAT_NAMES = {"ttl": "Turtle", "nt": "N-Triples", "rdfxml": "RDF/XML", "jsonld": "JSON-LD"}


def rdf_links(path: str) -> list[tuple[str, str]]:
    """(name, href) of the RDF forms of the document at `path`, by extension."""
    return [(FORMAT_NAMES[f.name], f"{path}.{extension(f)}") for f in GRAPH_FORMATS]


def page_context(triples: list[ox.Triple], server: str) -> dict:
    """What void.html shows, read from the description's own triples (so the page and
    the RDF cannot differ)."""
    dataset = ox.NamedNode(void_url(server) + "#dataset")
    about: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    partitions: dict[ox.BlankNode, dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = {}
    for triple in triples:
        if isinstance(triple.object, ox.Triple):
            continue  # no RDF-star in the description
        if triple.subject == dataset:
            about.setdefault(triple.predicate.value, []).append(triple.object)
        elif isinstance(triple.subject, ox.BlankNode):
            partitions.setdefault(triple.subject, {})[triple.predicate.value] = triple.object
    counts = [
        (label, int(about[VOID + name][0].value))
        for name, label in COUNTS.items()
        if VOID + name in about
    ]
    classes = sorted(
        (
            int(found[VOID + "entities"].value),
            short_iri(found[VOID + "class"].value),
            local_href(found[VOID + "class"].value),
        )
        for found in partitions.values()
    )[::-1]
    return {
        "title": about[DCTERMS + "title"][0].value,
        "summary": about[DCTERMS + "description"][0].value,
        "endpoint": about[VOID + "sparqlEndpoint"][0].value,
        "uri_space": about[VOID + "uriSpace"][0].value,
        "example": about[VOID + "exampleResource"][0].value,
        "example_href": local_href(about[VOID + "exampleResource"][0].value),
        "dumps": [dump.value for dump in about.get(VOID + "dataDump", [])],
        "counts": counts,
        "classes": classes,
        "rdf_links": rdf_links("/.well-known/void"),
    }


COUNTS = {  # VoID's counts, as the page names them
    "triples": "triples (statements of fact, each counted once)",
    "entities": "entities (things with an IRI of their own)",
    "distinctSubjects": "distinct subjects",
    "distinctObjects": "distinct objects",
    "properties": "properties",
}


def description(store: Store, server: str) -> list[ox.Triple]:
    """The void:Dataset served at `server` (http://host:port), with its counts."""
    dataset = ox.NamedNode(void_url(server) + "#dataset")
    triples = [
        ox.Triple(dataset, RDF_TYPE, _void("Dataset")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "title"), ox.Literal("voxgraph", language="en")),
        ox.Triple(
            dataset,
            ox.NamedNode(DCTERMS + "description"),
            ox.Literal(
                "Political news digests on Azerbaijan: actors, statements and events, "
                "each traced to the characters it was read from.",
                language="en",
            ),
        ),
        ox.Triple(dataset, _void("sparqlEndpoint"), ox.NamedNode(server + "/sparql")),
        ox.Triple(dataset, _void("uriSpace"), ox.Literal(ID_BASE)),
        ox.Triple(dataset, _void("vocabulary"), ox.NamedNode(PREFIXES["vox"].rstrip("#"))),
        ox.Triple(dataset, _void("exampleResource"), ox.NamedNode(ID_BASE + "actor/ali-karimli")),
    ]
    for dump in DUMPS:
        triples.append(ox.Triple(dataset, _void("dataDump"), ox.NamedNode(f"{server}/{dump}")))
    statistics = store.statistics()
    if statistics is None:
        return triples
    for name, value in statistics.void().items():
        triples.append(ox.Triple(dataset, _void(name), _integer(value)))
    for index, (iri, entities) in enumerate(sorted(statistics.classes.items())):
        partition = ox.BlankNode(f"class{index}")
        triples += [
            ox.Triple(dataset, _void("classPartition"), partition),
            ox.Triple(partition, _void("class"), ox.NamedNode(iri)),
            ox.Triple(partition, _void("entities"), _integer(entities)),
        ]
    return triples


def _void(term: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + term)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)
