"""What the resource pages, the ontology and VoID share: reading one resource's
triples out of the store, content negotiation between HTML and RDF, serializing.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from loader.store import GraphStore
from server.formats import GRAPH_FORMATS, Format
from voxgraph.iris import BASE, PREFIXES

HTML = ("text/html", "application/xhtml+xml")
ID_BASE = BASE + "id/"
VOX = PREFIXES["vox"]
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")


def negotiate(accept: str) -> Format | None:
    """The RDF format `accept` prefers over HTML, or None for HTML.

    HTML wins ties and is the default (no Accept header, or */*), so a link
    followed from anywhere shows a page.
    """
    if not accept.strip():
        return None
    offered: dict[str, Format | None] = {media_type: None for media_type in HTML}
    for candidate in GRAPH_FORMATS:
        for media_type in (candidate.media_type, *candidate.aliases):
            offered.setdefault(media_type, candidate)
    parsed = parse_accept_header(accept, MIMEAccept)
    best = parsed.best_match(list(offered))
    if best is None or parsed.quality(best) <= max(parsed.quality(m) for m in HTML):
        return None
    return offered[best]


def format_by_extension(extension: str) -> Format | None:
    """ttl, nt, rdf (RDF/XML) or jsonld."""
    for candidate in GRAPH_FORMATS:
        if extension in (candidate.name, *candidate.format_names):
            return candidate
    return None


def extension(chosen: Format) -> str:
    return {"rdfxml": "rdf"}.get(chosen.name, chosen.name)


def describe(store: GraphStore, iri: str) -> list[ox.Triple]:
    """The description of `iri`: the triples with it as subject or object, plus the
    triples about its fragment resources (<iri#char=10,42>, the evidence spans of a
    digest), which live in the same document (W3C "Cool URIs", hash IRIs). Sorted
    and without the duplicates that several graphs stating one triple would give."""
    node = ox.NamedNode(iri)
    triples = {
        ox.Triple(q.subject, q.predicate, q.object)
        for pattern in ((node, None, None), (None, None, node))
        for q in store.ox.quads_for_pattern(*pattern)
    }
    fragments = select(
        store,
        "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), ?prefix)) }".replace(
            "?prefix", _string_literal(iri + "#")
        ),
    )
    triples |= {ox.Triple(row["s"], row["p"], row["o"]) for row in fragments}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def select(
    store: GraphStore, query: str
) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """A SELECT query's solutions as dicts of the bound variables, read to the end here:
    pyoxigraph's results must be dropped on the thread that made them."""
    solutions = store.query(query)
    try:
        names = [v.value for v in solutions.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in solutions]
    finally:
        del solutions


def serialize(
    triples: Iterable[ox.Triple], chosen: Format, extra_prefixes: dict[str, str] | None = None
) -> bytes:
    prefixes = {**PREFIXES, **(extra_prefixes or {})}
    return ox.serialize(list(triples), format=chosen.oxigraph, prefixes=prefixes)


def labels(store: GraphStore, iris: Iterable[str]) -> dict[str, str]:
    """rdfs:label of each IRI that has one (English first)."""
    found: dict[str, str] = {}
    for iri in set(iris):
        candidates = [
            q.object
            for q in store.ox.quads_for_pattern(ox.NamedNode(iri), RDFS_LABEL, None)
            if isinstance(q.object, ox.Literal)
        ]
        if candidates:
            best = min(candidates, key=lambda lit: (lit.language not in ("en", None), lit.value))
            found[iri] = best.value
    return found


def local_href(iri: str) -> str | None:
    """Where this server shows `iri`: its resource page, the ontology docs, a graph download."""
    if iri.startswith(ID_BASE):
        return "/page/" + iri.removeprefix(ID_BASE)
    if iri.startswith(VOX):
        return "/ontology#" + iri.removeprefix(VOX)
    if iri.startswith(BASE + "graph/"):
        return "/graph/" + iri.removeprefix(BASE + "graph/") + ".trig"
    return None


def short_iri(iri: str) -> str:
    """vox:Digest for https://w3id.org/voxgraph/ontology#Digest; other IRIs stay whole."""
    for prefix, namespace in PREFIXES.items():
        local = iri.removeprefix(namespace)
        if local != iri and local and all(c.isalnum() or c in "_-." for c in local):
            return f"{prefix}:{local}"
    return iri


def _string_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
