"""Step 3: check a digest's graph against the SHACL shapes before it is stored.

The data validated is the digest's graph, plus `context` (the curated actor
registry: the types and labels of actors the digest refers to), plus the
ontology, so that sh:class follows rdfs:subClassOf (a vox:Person is a
vox:Actor) and the media concepts are known. Only results about nodes that
occur in the digest's graph are reported: the context is there to be referred
to, not to be checked again for every digest.

Shapes and ontology are parsed once per process, and so is the one SPARQL
query of the shapes (pyshacl would parse it again for every evidence span,
which costs more than all the rest of the validation together).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import BNode, Identifier, Literal, Node, URIRef

from voxgraph.iris import ID, PREFIXES
from voxgraph.ontology import ontology_graph, shapes_graph

log = logging.getLogger(__name__)

# Longest namespace first, so that the most specific prefix wins.
_SHORT: list[tuple[str, str]] = sorted(
    [(ns, prefix) for prefix, ns in PREFIXES.items()] + [(str(ID), "id")],
    key=lambda pair: -len(pair[0]),
)
_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_COUNT_COMPONENTS = {SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent}
_MAX_VALUE_CHARS = 60


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result, in readable form."""

    focus: str  # the focus node, shortened: "id:digest/2022-11-04/statement/1234"
    path: str | None  # the property, shortened: "vox:speaker"; None for node-level rules
    message: str
    severity: str  # "Violation", "Warning" or "Info"

    def line(self, digest: str = "") -> str:
        """One readable line, such as
        "2022-11-04: id:digest/2022-11-04/statement/12 vox:speaker: Statement needs ... (found 0)".
        """
        where = f"{self.focus} {self.path}" if self.path else self.focus
        text = f"{where}: {self.message}"
        if self.severity != "Violation":
            text += f" [{self.severity}]"
        return f"{digest}: {text}" if digest else text


class ShapeError(ValueError):
    """A digest graph that breaks the shapes; str() has one line per violation."""

    def __init__(self, violations: list[Violation], digest: str = ""):
        self.violations = violations
        self.digest = digest
        super().__init__("\n".join(v.line(digest) for v in violations))


def short(node: Node) -> str:
    """A node as a reader wants to see it: prefixed IRI, quoted literal, _:id."""
    if isinstance(node, URIRef):
        iri = str(node)
        for namespace, prefix in _SHORT:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                return f"{prefix}:{iri[len(namespace) :]}"
        return f"<{iri}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        text = str(node)
        if len(text) > _MAX_VALUE_CHARS:
            text = text[: _MAX_VALUE_CHARS - 1] + "…"
        if node.language:
            return f'"{text}"@{node.language}'
        if node.datatype is not None:
            return f'"{text}"^^{short(node.datatype)}'
        return f'"{text}"'
    return str(node)


@functools.lru_cache(maxsize=64)
def _prepared(query: str, namespaces: tuple[tuple[str, str], ...]) -> Query:
    return prepareQuery(query, initNs=dict(namespaces))


class _DataGraph(Graph):
    """A Graph that parses each SPARQL query text once per process.

    pyshacl runs an sh:sparql constraint as one query per focus node, passing
    the same text each time; rdflib would parse it each time.
    """

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        initBindings: Mapping[str, Identifier] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ):
        if isinstance(query_object, str) and not initNs:
            namespaces = tuple((prefix, str(ns)) for prefix, ns in self.namespaces())
            query_object = _prepared(query_object, namespaces)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


def _data_graph(graph: Graph, context: Graph | None) -> Graph:
    """`graph`, plus what `context` and the ontology say about the nodes reachable from it.

    The shapes only follow properties forwards from a focus node (sh:path,
    and rdf:type/rdfs:subClassOf* for sh:class and sh:targetClass), so the
    context and ontology triples reachable from `graph` are all that can
    affect the results about `graph`'s nodes. Leaving out the rest (the rest
    of the registry; the ontology's properties and unused classes, two thirds
    of it) keeps the cost of a digest independent of the registry's size and
    saves copying triples that cannot matter.
    """
    data = _DataGraph()
    add = data.store.add  # Graph.add only adds type assertions; the terms come from Graphs
    for triple in graph:
        add(triple, data, False)
    sources = [ontology_graph()] if context is None else [context, ontology_graph()]
    todo = {n for s, _, o in graph for n in (s, o) if not isinstance(n, Literal)}
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        seen.add(node)
        for source in sources:
            for triple in source.triples((node, None, None)):
                add(triple, data, False)
                obj = triple[2]
                if not isinstance(obj, Literal) and obj not in seen:
                    todo.add(obj)
    return data


def _detail(data: Graph, result: Node, report: Graph, focus: Node, path: Node | None) -> str:
    """What was found, to follow the shape's message: "found 2", "value vox:Rumoured"."""
    component = report.value(result, SH.sourceConstraintComponent)
    if component in _COUNT_COMPONENTS and isinstance(path, URIRef):
        return f"found {len(set(data.objects(focus, path)))}"
    value = report.value(result, SH.value)
    if value is None or value == focus or component == SH.SPARQLConstraintComponent:
        return ""
    return f"value {short(value)}"


def validate(graph: Graph, *, context: Graph | None = None) -> list[Violation]:
    """Every SHACL result about the nodes of `graph`, sorted (violations first).

    `context` holds data that `graph` refers to but that is not itself being
    checked, such as the actor registry; it is visible to sh:class checks.
    """
    data = _data_graph(graph, context)
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
    )
    found: set[Violation] = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if (focus, None, None) not in graph and (None, None, focus) not in graph:
            continue  # a node of the registry or the ontology only
        path = report.value(result, SH.resultPath)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        message = "; ".join(messages) or "does not conform"
        detail = _detail(data, result, report, focus, path)
        if detail:
            message += f" ({detail})"
        severity = _SEVERITIES.get(report.value(result, SH.resultSeverity), "Violation")
        found.add(
            Violation(
                focus=short(focus),
                path=short(path) if path is not None else None,
                message=message,
                severity=severity,
            )
        )
    return sorted(
        found,
        key=lambda v: (_SEVERITY_ORDER.get(v.severity, 3), v.focus, v.path or "", v.message),
    )


def check(graph: Graph, *, context: Graph | None = None, digest: str = "") -> None:
    """Raise ShapeError if `graph` has any result of severity Violation.

    Warnings and infos are logged, one line each, and do not stop loading.
    """
    results = validate(graph, context=context)
    for result in results:
        if result.severity != "Violation":
            log.warning(result.line(digest))
    violations = [r for r in results if r.severity == "Violation"]
    if violations:
        raise ShapeError(violations, digest)
