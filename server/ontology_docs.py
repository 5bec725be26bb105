"""The ontology at /ontology and the SHACL shapes at /shapes, as HTML documentation or RDF.

The ontology's terms are hash IRIs (https://w3id.org/voxgraph/ontology#Digest), so
one document describes them all: /ontology answers by content negotiation (W3C
"Cool URIs", section 4.1) with Vary: Accept and a Content-Location naming the
variant sent, /ontology.html or /ontology.ttl (the file as curated, comments
included; .nt, .rdf and .jsonld are converted from it). /shapes works the same way.

The documentation is read from the files (parsed once); only the examples come from
the data, one index seek per term (see data_examples), so the page costs the same
whatever the store holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from voxgraph.iris import SCHEMA
from voxgraph.loader.store import Pattern, Store
from voxgraph.ontology import ontology_graph, shapes_graph
from voxgraph.paths import ONTOLOGY, SHAPES
from voxgraph.server import linked_data as ld
from voxgraph.server.formats import GraphFormat

bp = Blueprint("ontology_docs", __name__)

DOCUMENTS = {"ontology": ONTOLOGY, "shapes": SHAPES}
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.AnnotationProperty)
RDF_TYPE = ox.NamedNode(str(RDF.type))


@dataclass(frozen=True)
class Term:
    iri: str
    name: str  # the fragment, used as the HTML anchor
    label: str
    comment: str
    domain: list[str]
    range: list[str]
    superterms: list[str]
    example: tuple[ox.Triple, ...]  # from the data, if any


@bp.route("/ontology", defaults={"ext": None})
@bp.route("/ontology.<ext>")
def ontology(ext: str | None) -> Response:
    return document("ontology", ext)


@bp.route("/shapes", defaults={"ext": None})
@bp.route("/shapes.<ext>")
def shapes(ext: str | None) -> Response:
    return document("shapes", ext)


def document(name: str, ext: str | None) -> Response:
    """/name by content negotiation, /name.html, /name.ttl and the other RDF extensions."""
    if ext is None:
        chosen = ld.negotiate(request.headers.get("Accept", ""))
        ext = "html" if chosen is None else ld.extension(chosen)
        negotiated = True
    else:
        negotiated = False
    if ext == "html":
        html = render_template(
            f"{name}.html", **(ontology_context() if name == "ontology" else shapes_context())
        )
        response = Response(html, content_type="text/html; charset=utf-8")
    else:
        chosen_format = ld.format_by_extension(ext)
        if chosen_format is None:
            abort(404)
        response = Response(rdf(name, chosen_format), content_type=chosen_format.content_type)
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = f"/{name}.{ext}"
    return response


def rdf(name: str, chosen: GraphFormat) -> bytes:
    path = DOCUMENTS[name]
    if chosen.name == "ttl":
        return path.read_bytes()
    return ld.serialize(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), chosen)


def ontology_context() -> dict:
    graph = ontology_graph()
    examples = data_examples(current_app.config["VOXGRAPH_STORE"], graph)
    namespace = ld.VOX

    def terms(kinds: tuple[URIRef, ...]) -> list[Term]:
        found = {
            s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)
        }
        return [
            Term(
                iri=str(s),
                name=str(s).removeprefix(namespace),
                label=str(graph.value(s, RDFS.label) or ""),
                comment=str(graph.value(s, RDFS.comment) or ""),
                domain=sorted(
                    str(o)
                    for p in (RDFS.domain, SCHEMA.domainIncludes)
                    for o in graph.objects(s, p)
                ),
                range=sorted(str(o) for o in graph.objects(s, RDFS.range)),
                superterms=sorted(
                    str(o)
                    for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                    for o in graph.objects(s, p)
                ),
                example=examples.get(str(s), ()),
            )
            for s in sorted(found)
            if str(s).startswith(namespace)
        ]

    header = URIRef(namespace.rstrip("#"))
    return {
        "title": str(graph.value(header, URIRef("http://purl.org/dc/terms/title")) or "ontology"),
        "description": str(
            graph.value(header, URIRef("http://purl.org/dc/terms/description")) or ""
        ),
        "classes": terms(CLASS_TYPES),
        "properties": terms(PROPERTY_TYPES),
        "short": ld.short_iri,
    }


def data_examples(store: Store, graph: Graph) -> dict[str, tuple[ox.Triple, ...]]:
    """For each class of the ontology, a typing triple of one instance; for each property,
    one triple using it: the first the store's index holds outside the ontology's own
    graph, so the page is the same each time for the same data.

    One index seek per term (a single query on a remote store), whatever the store holds.
    """
    classes = sorted(
        str(s) for kind in CLASS_TYPES for s in graph.subjects(RDF.type, kind) if _ours(s)
    )
    properties = sorted(
        str(s) for kind in PROPERTY_TYPES for s in graph.subjects(RDF.type, kind) if _ours(s)
    )
    patterns: list[Pattern] = [(None, RDF_TYPE, ox.NamedNode(c), None) for c in classes]
    patterns += [(None, ox.NamedNode(p), None, None) for p in properties]
    found = store.first_quads(patterns, outside=ld.BASE + "graph/ontology")
    return {
        term: (ox.Triple(quad.subject, quad.predicate, quad.object),)
        for term, quad in zip([*classes, *properties], found, strict=True)
        if quad is not None
    }


def _ours(term: object) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(ld.VOX)


def shapes_context() -> dict:
    graph = shapes_graph()
    shapes_found = []
    for shape in sorted(graph.subjects(RDF.type, SH.NodeShape), key=str):  # named shapes
        properties = []
        for node in graph.objects(shape, SH.property):
            constraints = {
                ld.short_iri(str(p)): constraint_text(graph, o)
                for p, o in graph.predicate_objects(node)
                if p not in (SH.path, SH.message)
            }
            path = graph.value(node, SH.path)
            properties.append(
                (
                    ld.short_iri(str(path)) if isinstance(path, URIRef) else "(complex path)",
                    constraints,
                    str(graph.value(node, SH.message) or ""),
                )
            )
        shapes_found.append(
            {
                "name": str(shape).rsplit("#", 1)[-1],
                "targets": [ld.short_iri(str(t)) for t in graph.objects(shape, SH.targetClass)],
                "description": str(graph.value(shape, SH.description) or ""),
                "properties": sorted(properties),
            }
        )
    return {"shapes": shapes_found}


def constraint_text(graph: Graph, value: object) -> str:
    """A constraint's value in words: lists (sh:in, sh:or) and nested shapes spelled out."""
    if isinstance(value, BNode):
        if graph.value(value, RDF.first) is not None:
            return " | ".join(constraint_text(graph, item) for item in Collection(graph, value))
        return " ".join(
            f"{ld.short_iri(str(p))} {constraint_text(graph, o)}"
            for p, o in sorted(graph.predicate_objects(value))
        )
    return ld.short_iri(str(value))
