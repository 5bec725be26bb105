"""The SPARQL 1.1 Service Description of /sparql (https://www.w3.org/TR/sparql11-service-description/).

It names every named graph of the store, so it is written once per version of the
data (and per format and endpoint URL: server/cache.py), not on each request. The
prefixes the endpoint predeclares (server/query.py) are listed as SHACL prefix
declarations (sh:declare [ sh:prefix "vox" ; sh:namespace "..."^^xsd:anyURI ]), the
W3C vocabulary for them; SPARQL 1.1 Service Description has none of its own.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from flask import render_template

from voxgraph.iris import PREFIXES
from voxgraph.loader.store import Store
from voxgraph.loader.store.dumps import rdf_bytes
from voxgraph.server.cache import per_version
from voxgraph.server.formats import GRAPH_FORMATS, RESULTS_FORMATS, Wanted, choose
from voxgraph.server.void import FORMAT_NAMES

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
SIMPLE_ENTAILMENT = ox.NamedNode("http://www.w3.org/ns/entailment/Simple")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
SH = "http://www.w3.org/ns/shacl#"
XSD_ANY_URI = ox.NamedNode(PREFIXES["xsd"] + "anyURI")


def service_description(store: Store, endpoint: str, wanted: Wanted) -> tuple[bytes, str]:
    """The description of the endpoint at `endpoint` as `wanted`, and its content type."""
    chosen = choose(GRAPH_FORMATS, wanted)

    def write(current: Store) -> bytes:
        return rdf_bytes(
            description_triples(current, endpoint),
            chosen.oxigraph,
            {
                "sd": SD,
                "dcterms": "http://purl.org/dc/terms/",
                "sh": SH,
                "xsd": PREFIXES["xsd"],
            },
        )

    body = per_version(store, f"service description {chosen.name} {endpoint}", write)
    return body, chosen.content_type


def description_triples(store: Store, endpoint: str) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint)
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, DCTERMS_TITLE, ox.Literal("voxgraph SPARQL endpoint (read-only)")),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultEntailmentRegime"), SIMPLE_ENTAILMENT),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        # The VoID description (server/void.py) counts what this dataset holds.
        ox.Triple(dataset, RDFS_SEE_ALSO, ox.NamedNode(_void_url(endpoint))),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
    ]
    for iri in [f.oxigraph.iri for f in RESULTS_FORMATS] + [f.oxigraph.iri for f in GRAPH_FORMATS]:
        triples.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(iri)))
    for prefix, namespace in PREFIXES.items():
        declaration = ox.BlankNode(f"prefix-{prefix}")
        triples += [
            ox.Triple(service, ox.NamedNode(SH + "declare"), declaration),
            ox.Triple(declaration, ox.NamedNode(SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(
                declaration,
                ox.NamedNode(SH + "namespace"),
                ox.Literal(namespace, datatype=XSD_ANY_URI),
            ),
        ]
    for name in store.named_graphs():
        named_graph = ox.BlankNode(f"g{len(triples)}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named_graph),
            ox.Triple(named_graph, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named_graph, _sd("name"), ox.NamedNode(name)),
        ]
    return triples


def _sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(SD + term)


def _void_url(endpoint: str) -> str:
    return endpoint.rsplit("/", 1)[0] + "/.well-known/void"


def description_page(store: Store, endpoint: str) -> str:
    """The description as a page for people: what the endpoint answers, in which formats,
    with which prefixes predeclared (written once per version of the data, as the RDF)."""

    def write(current: Store) -> bytes:
        return render_template(
            "service.html",
            endpoint=endpoint,
            prefixes=PREFIXES,
            results=RESULTS_FORMATS,
            graphs=GRAPH_FORMATS,
            rdf_links=[(FORMAT_NAMES[f.name], f"/sparql?format={f.name}") for f in GRAPH_FORMATS],
            named_graphs=len(current.named_graphs()),
            graphs_query="/?" + urlencode({"query": NAMED_GRAPHS_QUERY}),
        ).encode()

    return per_version(store, f"service description page {endpoint}", write).decode()


NAMED_GRAPHS_QUERY = "SELECT ?graph WHERE { GRAPH ?graph {} } ORDER BY ?graph"
