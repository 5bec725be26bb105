"""What the mappers read from the ontology: class hierarchy and CAMEO codes.

The endpoint does no RDFS reasoning, so the mappers state every vox: class of
a resource (an Arrest is also a vox:Event; a Person also a vox:Actor) and
a query for `?e a vox:Event` finds it.
"""

from __future__ import annotations

from functools import cache

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from voxgraph.iris import VOX
from voxgraph.paths import ONTOLOGY


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY)


@cache
def vox_types(name: str) -> tuple[URIRef, ...]:
    """vox:<name> and every vox: class above it, e.g. Arrest -> (Arrest, Event)."""
    start = VOX[name]
    found = [start, *ontology().transitive_objects(start, RDFS.subClassOf)]
    return tuple(
        dict.fromkeys(c for c in found if isinstance(c, URIRef) and c.startswith(str(VOX)))
    )


@cache
def cameo_codes() -> dict[str, str]:
    """Event class name -> CAMEO code, as the ontology states them."""
    return {
        str(cls).removeprefix(str(VOX)): str(code)
        for cls, code in ontology().subject_objects(VOX.cameoCode)
    }
