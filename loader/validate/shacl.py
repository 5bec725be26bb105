"""Step 3: check a digest's graph against the SHACL shapes before it is stored.

The data validated is the digest's graph, plus `context` (the curated actor
registry: the types and labels of actors the digest refers to), plus the
ontology, so that sh:class follows rdfs:subClassOf (a vox:Person is a
vox:Actor) and the media concepts are known. Only results about nodes that
occur in the digest's graph are reported: the context is there to be referred
to, not to be checked again for every digest.

Shapes and ontology are parsed once per process. pyshacl checks the core
constraints; the shapes' sh:sparql constraints are run here, each as one query
over the whole data graph rather than, as pyshacl does, one query per focus
node (that cost more than all the core constraints together). The shapes file
stays the authority: the query text, targets, messages and severity are read
from it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import NamedTuple

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import BNode, Literal, Node, URIRef

from voxgraph.iris import ID, PREFIXES
from voxgraph.ontology import ontology_graph, shapes_graph

log = logging.getLogger(__name__)

# Longest namespace first, so that the most specific prefix wins.
_SHORT: list[tuple[str, str]] = sorted(
    [(ns, prefix) for prefix, ns in PREFIXES.items()] + [(str(ID), "id")],
    key=lambda pair: -len(pair[0]),
)
_SEVERITIES: dict[Node, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
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


# Pre-bound variables of SHACL-SPARQL other than $this, and the failure flag:
# none of them is supported by the way sh:sparql constraints are run here.
_UNSUPPORTED = re.compile(r"[?$](PATH|currentShape|shapesGraph|failure)\b")
_OTHER_TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path)


@dataclass(frozen=True)
class _SparqlConstraint:
    """An sh:sparql constraint (SELECT) of a node shape, run once over the whole data graph.

    pyshacl runs it once per focus node with $this pre-bound, which cost more
    than all the core constraints together. Our queries bind $this by a triple
    pattern in every solution, so one run with $this free, keeping the solutions
    whose $this is a focus node of the shape, gives the same results.
    """

    shape: Node
    targets: tuple[Node, ...]  # the shape's sh:targetClass
    query: Query
    messages: tuple[str, ...]  # the constraint's and the shape's sh:message
    severity: Node


def _sparql_constraint(shapes: Graph, shape: Node, constraint: Node) -> _SparqlConstraint:
    text = str(shapes.value(constraint, SH.select))
    if any(True for p in _OTHER_TARGETS if (shape, p, None) in shapes) or _UNSUPPORTED.search(text):
        raise ValueError(
            f"{shape}: only a node shape with sh:targetClass and a SELECT using no pre-bound "
            "variable but $this can have an sh:sparql constraint (see loader/validate/shacl.py)"
        )
    namespaces = {
        str(shapes.value(declared, SH.prefix)): str(shapes.value(declared, SH.namespace))
        for source in shapes.objects(constraint, SH.prefixes)
        for declared in shapes.objects(source, SH.declare)
    }
    messages = [*shapes.objects(constraint, SH.message), *shapes.objects(shape, SH.message)]
    return _SparqlConstraint(
        shape=shape,
        targets=tuple(shapes.objects(shape, SH.targetClass)),
        query=prepareQuery(text, initNs=namespaces),
        messages=tuple(dict.fromkeys(str(m) for m in messages)),
        severity=shapes.value(shape, SH.severity) or SH.Violation,
    )


def _deactivated(shapes: Graph, node: Node) -> bool:
    return (node, SH.deactivated, Literal(True)) in shapes


@functools.cache
def _split_shapes() -> tuple[Graph, tuple[_SparqlConstraint, ...]]:
    """The shapes without their sh:sparql constraints, for pyshacl, and those constraints.

    Made once per process, as the shapes graph is parsed once.
    """
    shapes = shapes_graph()
    constraints = {
        node: _sparql_constraint(shapes, shape, node)
        for shape, node in shapes.subject_objects(SH.sparql)
        if not _deactivated(shapes, shape) and not _deactivated(shapes, node)
    }
    skipped = {node for _, node in shapes.subject_objects(SH.sparql)}
    core = Graph()
    for prefix, namespace in shapes.namespaces():
        core.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] != SH.sparql and triple[0] not in skipped:
            core.add(triple)
    return core, tuple(constraints.values())


def _instances(data: Graph, classes: tuple[Node, ...]) -> set[Node]:
    """SHACL instances of `classes`: rdf:type, then rdfs:subClassOf* in the data graph."""
    found: set[Node] = set()
    for cls in classes:
        for subclass in data.transitive_subjects(RDFS.subClassOf, cls):
            found.update(data.subjects(RDF.type, subclass))
    return found


def _fill(message: str, bound: Mapping[str, Node]) -> str:
    """A message with each {?var} or {$var} replaced by its value, as pyshacl does."""
    for name, value in bound.items():
        message = message.replace(f"{{?{name}}}", str(value)).replace(f"{{${name}}}", str(value))
    return message


def _sparql_results(data: Graph) -> Iterator[_Result]:
    """The results of the shapes' sh:sparql constraints."""
    for constraint in _split_shapes()[1]:
        focus_nodes = _instances(data, constraint.targets)
        for row in data.query(constraint.query):
            bound = row.asdict()  # type: ignore[union-attr]
            this = bound.get("this")
            if this is None:
                raise ValueError(f"{constraint.shape}: an sh:sparql query must bind $this")
            if this in focus_nodes:
                messages = [_fill(m, bound) for m in constraint.messages]
                yield _Result(this, bound.get("path"), messages, "", constraint.severity)


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
    data = Graph()
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


class _Result(NamedTuple):
    """One result, before it is checked to be about the digest and made readable."""

    focus: Node
    path: Node | None
    messages: list[str]
    detail: str  # what was found, such as "found 2"; empty when the message says it all
    severity: Node


def _pyshacl_results(data: Graph, shapes: Graph) -> Iterator[_Result]:
    """The results of pyshacl checking `shapes` (no SHACL-AF: the shapes use none)."""
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, inplace=True
    )
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        detail = _detail(data, result, report, focus, path)
        severity = report.value(result, SH.resultSeverity)
        yield _Result(focus, path, messages, detail, severity)


def validate(graph: Graph, *, context: Graph | None = None) -> list[Violation]:
    """Every SHACL result about the nodes of `graph`, sorted (violations first).

    `context` holds data that `graph` refers to but that is not itself being
    checked, such as the actor registry; it is visible to sh:class checks.
    """
    data = _data_graph(graph, context)
    core, _ = _split_shapes()
    return _readable(graph, chain(_pyshacl_results(data, core), _sparql_results(data)))


def _readable(graph: Graph, results: Iterable[_Result]) -> list[Violation]:
    """The results about nodes of `graph`, once each, sorted (violations first)."""
    found: set[Violation] = set()
    for result in results:
        focus = result.focus
        if (focus, None, None) not in graph and (None, None, focus) not in graph:
            continue  # a node of the registry or the ontology only
        message = "; ".join(sorted(result.messages)) or "does not conform"
        if result.detail:
            message += f" ({result.detail})"
        found.add(
            Violation(
                focus=short(focus),
                path=short(result.path) if result.path is not None else None,
                message=message,
                severity=_SEVERITIES.get(result.severity, "Violation"),
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
