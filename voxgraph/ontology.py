"""The ontology (ontology/voxgraph.ttl) and its SHACL shapes (shapes/voxgraph.ttl), each
parsed once for every reader (mapping, validation, the store, the ontology's pages),
and what the mappers read from the ontology: the class hierarchy and CAMEO codes.

The endpoint does no RDFS reasoning, so the mappers state every vox: class of
a resource (an Arrest is also a vox:Event; a Person also a vox:Actor) and
a query for `?e a vox:Event` finds it.
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from voxgraph.iris import VOX
from voxgraph.paths import ONTOLOGY, SHAPES


@cache
def ontology_graph() -> Graph:
    """The ontology, parsed once (read it, don't change it)."""
    return Graph().parse(ONTOLOGY, format="turtle")


@cache
def shapes_graph() -> Graph:
    """The SHACL shapes, parsed once (read them, don't change them)."""
    return Graph().parse(SHAPES, format="turtle")


@cache
def vox_types(name: str) -> tuple[URIRef, ...]:
    """vox:<name> and every vox: class above it, e.g. Arrest -> (Arrest, Event)."""
    start = VOX[name]
    found = [start, *ontology_graph().transitive_objects(start, RDFS.subClassOf)]
    return tuple(
        dict.fromkeys(c for c in found if isinstance(c, URIRef) and c.startswith(str(VOX)))
    )


@cache
def cameo_codes() -> dict[str, str]:
    """Event class name -> CAMEO code, as the ontology states them."""
    return {
        str(cls).removeprefix(str(VOX)): str(code)
        for cls, code in ontology_graph().subject_objects(VOX.cameoCode)
    }
