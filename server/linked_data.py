"""What the resource pages, the ontology and VoID share: reading one resource's
triples out of the store, content negotiation between HTML and RDF, serializing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from voxgraph.iris import BASE, PREFIXES
from voxgraph.loader.store import Store
from voxgraph.loader.store.dumps import rdf_bytes
from voxgraph.server.formats import GRAPH_FORMATS, GraphFormat

HTML = ("text/html", "application/xhtml+xml")
ID_BASE = BASE + "id/"
VOX = PREFIXES["vox"]
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
REGISTRY = ox.NamedNode(BASE + "graph/registry")
DESCRIPTION_PAGE = 1_000  # triples per page of a data document (a digest's fits in one)


def negotiate(accept: str) -> GraphFormat | None:
    """The RDF format `accept` prefers over HTML, or None for HTML.

    HTML wins ties and is the default (no Accept header, or */*), so a link
    followed from anywhere shows a page.
    """
    if not accept.strip():
        return None
    offered: dict[str, GraphFormat | None] = {media_type: None for media_type in HTML}
    for candidate in GRAPH_FORMATS:
        for media_type in (candidate.media_type, *candidate.aliases):
            offered.setdefault(media_type, candidate)
    parsed = parse_accept_header(accept, MIMEAccept)
    best = parsed.best_match(list(offered))
    if best is None or parsed.quality(best) <= max(parsed.quality(m) for m in HTML):
        return None
    return offered[best]


def format_by_extension(extension: str) -> GraphFormat | None:
    """ttl, nt, rdf (RDF/XML) or jsonld."""
    for candidate in GRAPH_FORMATS:
        if extension in (candidate.name, *candidate.format_names):
            return candidate
    return None


def extension(chosen: GraphFormat) -> str:
    return {"rdfxml": "rdf"}.get(chosen.name, chosen.name)


def describe(
    store: Store, iri: str, page: int = 1, size: int = DESCRIPTION_PAGE
) -> tuple[list[ox.Triple], bool]:
    """Page `page` (of `size` triples) of the description of `iri`, and whether another
    follows. The description: the triples with `iri` as subject, those with it as
    object, and the triples about its fragment resources (<iri#char=10,42>, the
    evidence spans of a digest), which live in the same document (W3C "Cool URIs",
    hash IRIs), each once however many graphs state it, in that order (the store's
    index order within each); each page sorted.

    The fragments are found among the triples pointing here (an evidence span names
    its digest with nif:referenceContext), so the work is index look-ups by subject
    and by object, never a scan of the store, and it stops at the end of the page:
    a description of up to `size` triples (every digest's) is one page, and the
    busiest actor's, which grows with every digest that names it, is read no
    further than the page asked for.
    """
    skip, wanted = (page - 1) * size, size + 1
    seen: set[ox.Triple] = set()
    found: list[ox.Triple] = []
    for triple in _description(store, iri):
        if triple in seen:
            continue
        seen.add(triple)
        if len(seen) > skip:
            found.append(triple)
            if len(found) == wanted:
                break
    shown = sorted(found[:size], key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return shown, len(found) > size


def _description(store: Store, iri: str) -> Iterator[ox.Triple]:
    node = ox.NamedNode(iri)
    fragments: list[ox.NamedNode] = []
    for quad in store.quads_for_pattern(node, None, None):
        yield ox.Triple(quad.subject, quad.predicate, quad.object)
    for quad in store.quads_for_pattern(None, None, node):
        subject = quad.subject
        if (
            isinstance(subject, ox.NamedNode)
            and subject.value.startswith(iri + "#")
            and subject not in fragments
        ):
            fragments.append(subject)
        yield ox.Triple(quad.subject, quad.predicate, quad.object)
    for fragment in fragments:
        for quad in store.quads_for_pattern(fragment, None, None):
            yield ox.Triple(quad.subject, quad.predicate, quad.object)


def around(store: Store, iri: str, limit: int | None = None) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The quads with `iri` as subject, and those with it as object (at most `limit` of
    each: read lazily from the index, so a limit bounds the work)."""
    node = ox.NamedNode(iri)
    return (
        list(store.quads_for_pattern(node, None, None, limit=limit)),
        list(store.quads_for_pattern(None, None, node, limit=limit)),
    )


def select(store: Store, query: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
    """A SELECT query's solutions as dicts of the bound variables, read to the end here:
    pyoxigraph's results must be dropped on the thread that made them."""
    answer = store.select(query)
    try:
        names = [v.value for v in answer.variables]
        # A solution read as a tuple, once: indexing it by name costs a look-up each time.
        return [
            {n: term for n, term in zip(names, tuple(solution), strict=True) if term is not None}
            for solution in answer
        ]
    finally:
        del answer


def serialize(
    triples: Iterable[ox.Triple], chosen: GraphFormat, extra_prefixes: dict[str, str] | None = None
) -> bytes:
    prefixes = {**PREFIXES, **(extra_prefixes or {})}
    return rdf_bytes(list(triples), chosen.oxigraph, prefixes)


def labels(
    store: Store,
    seen: Iterable[tuple[str, ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None]],
) -> dict[str, str]:
    """rdfs:label of each IRI that has one, looked up in the registry's graph and else in
    the graph it was seen in (`seen`: (IRI, graph) pairs): one index seek each, in one
    call to the store.

    Not in the union: an actor the digests discovered has its label stated again in
    every digest that names it, so the union holds it once per digest.
    """
    graphs_of: dict[str, list[ox.NamedNode]] = {}
    for iri, graph in seen:
        found = graphs_of.setdefault(iri, [REGISTRY])
        if isinstance(graph, ox.NamedNode) and graph not in found:
            found.append(graph)
    asked = [(iri, graph) for iri, graphs in graphs_of.items() for graph in graphs]
    answers = store.first_quads(
        [(ox.NamedNode(iri), RDFS_LABEL, None, graph) for iri, graph in asked]
    )
    labels_found: dict[str, str] = {}
    for (iri, _), quad in zip(asked, answers, strict=True):
        if quad is not None and iri not in labels_found and isinstance(quad.object, ox.Literal):
            labels_found[iri] = quad.object.value
    return labels_found


def first_label(store: Store, iri: str) -> str | None:
    """The first rdfs:label of `iri` in the store's index order (one seek), or None."""
    for quad in store.quads_for_pattern(ox.NamedNode(iri), RDFS_LABEL, None, limit=1):
        return quad.object.value if isinstance(quad.object, ox.Literal) else None
    return None


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


QUERY_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def rows(graph: Store, query: str) -> list[dict[str, str]]:
    """SELECT solutions as {variable: value} (unbound variables left out)."""
    return [
        {name: term.value for name, term in row.items()}
        for row in select(graph, QUERY_PROLOGUE + query)
    ]
