"""The VoID description of the data set at /.well-known/void (RFC 5785; https://www.w3.org/TR/void/).

Counts are over the union of all graphs, each triple counted once. They are not
counted here: the loader keeps them with the data, in the same transaction as each
digest (loader/store/statistics.py), so this reads one small record. A store without
statistics (never loaded by `voxgraph load`) gets a description without counts.
Turtle by default; N-Triples, RDF/XML and JSON-LD by content negotiation.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from voxgraph.iris import PREFIXES
from voxgraph.loader.store import Store
from voxgraph.server.errors import NotAcceptable
from voxgraph.server.formats import GRAPH_FORMATS, Wanted, choose
from voxgraph.server.linked_data import ID_BASE, serialize

bp = Blueprint("void", __name__)

VOID = "http://rdfs.org/ns/void#"
DCTERMS = PREFIXES["dcterms"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
DUMPS = ("dump.ttl", "dump.nt", "dump.trig", "dump.nq")


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
