"""The VoID description of the data set at /.well-known/void (RFC 5785; https://www.w3.org/TR/void/).

Counts are over the union of all graphs, each triple counted once. Turtle by
default; N-Triples, RDF/XML and JSON-LD by content negotiation.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from loader.store import GraphStore
from server.errors import NotAcceptable
from server.formats import GRAPH_FORMATS, Wanted, choose
from server.linked_data import ID_BASE, select, serialize
from voxgraph.iris import PREFIXES

bp = Blueprint("void", __name__)

VOID = "http://rdfs.org/ns/void#"
DCTERMS = PREFIXES["dcterms"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
DUMPS = ("dump.ttl", "dump.nt", "dump.trig", "dump.nq")
COUNTS = f"""
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?entity) AS ?entities)
WHERE {{
  {{ SELECT DISTINCT ?s ?p ?o {{ ?s ?p ?o }} }}
  BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}"), ?s, ?none) AS ?entity)
}}
"""
CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY ?class
"""


def void_url(host_url: str) -> str:
    return host_url.rstrip("/") + "/.well-known/void"


@bp.route("/.well-known/void")
def void() -> Response:
    try:
        chosen = choose(GRAPH_FORMATS, Wanted(accept=request.headers.get("Accept", "")))
    except NotAcceptable as error:
        return Response(error.message + "\n", 406, content_type="text/plain; charset=utf-8")
    triples = description(current_app.config["VOXGRAPH_STORE"], request.host_url.rstrip("/"))
    return Response(
        serialize(triples, chosen, {"void": VOID}),
        content_type=chosen.content_type,
        headers={"Vary": "Accept"},
    )


def description(store: GraphStore, server: str) -> list[ox.Triple]:
    """The void:Dataset served at `server` (http://host:port), with its counts."""
    dataset = ox.NamedNode(void_url(server) + "#dataset")
    counts = select(store, COUNTS)[0]
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
    for name, variable in (
        ("triples", "triples"),
        ("entities", "entities"),
        ("distinctSubjects", "subjects"),
        ("distinctObjects", "objects"),
        ("properties", "properties"),
    ):
        triples.append(ox.Triple(dataset, _void(name), _integer(counts[variable].value)))
    for index, row in enumerate(select(store, CLASSES)):
        partition = ox.BlankNode(f"class{index}")
        triples += [
            ox.Triple(dataset, _void("classPartition"), partition),
            ox.Triple(partition, _void("class"), row["class"]),
            ox.Triple(partition, _void("entities"), _integer(row["entities"].value)),
        ]
    return triples


def _void(term: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + term)


def _integer(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=XSD_INTEGER)
