"""Run one read-only SPARQL query: every check, the evaluation, the serialization.

`run_query` is the single place a query is evaluated. It takes and returns plain
values, so that it can later move into a worker process that can be killed when
a query runs too long.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pyoxigraph as ox

from loader.store import GraphStore
from server.errors import (
    READ_ONLY,
    BadQuery,
    Forbidden,
    QueryError,
    QueryFailed,
    QueryTooLarge,
    RemoteServiceFailed,
)
from server.formats import GRAPH_FORMATS, RESULTS_FORMATS, Wanted, choose
from server.service_guard import TOKEN_GAP, check_service_endpoints, decode_codepoint_escapes
from server.settings import Settings

# Oxigraph parses and evaluates recursively; a query nested deeper than this
# could overflow a thread's stack and take the whole process down.
MAX_NESTING = 1_000

_BRACKET = re.compile(r"[{}()\[\]]")
_BASE = rf"BASE{TOKEN_GAP}<[^>]*>"
_PREFIX = rf"PREFIX{TOKEN_GAP}[^\s:]*:{TOKEN_GAP}<[^>]*>"
_PROLOGUE = rf"{TOKEN_GAP}(?:(?:{_BASE}|{_PREFIX}){TOKEN_GAP})*+"
_UPDATE_START = re.compile(
    rf"{_PROLOGUE}(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Dataset:
    """The protocol's default-graph-uri and named-graph-uri (empty: the whole store)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryAnswer:
    body: bytes
    content_type: str
    kind: str  # "results" (SELECT, ASK) or "graph" (CONSTRUCT, DESCRIBE)


def looks_like_update(query: str) -> bool:
    """Whether `query` is SPARQL Update text (INSERT, LOAD, ... after the prologue).

    Only for a clear message: Store.query cannot run an update anyway.
    """
    return _UPDATE_START.match(decode_codepoint_escapes(query)) is not None


def run_query(
    store: GraphStore, query: str, dataset: Dataset, settings: Settings, wanted: Wanted
) -> QueryAnswer:
    """Check `query`, evaluate it over `dataset` and serialize the answer as `wanted`."""
    if len(query) > settings.max_query_length:
        raise QueryTooLarge(f"the query is longer than {settings.max_query_length} characters")
    if looks_like_update(query):
        raise Forbidden(READ_ONLY)
    if _nesting_depth(query) > MAX_NESTING:
        raise BadQuery(f"the query nests brackets more than {MAX_NESTING} deep")
    endpoints = check_service_endpoints(query, settings.service_allowlist)
    try:
        result = store.query(
            query, default_graph=dataset.default_graphs, named_graphs=dataset.named_graphs
        )
    except SyntaxError as error:
        raise BadQuery(f"malformed query: {error}") from None
    except Exception as error:  # whatever it is, only _failure's text reaches the client
        raise _failure(error, endpoints) from None
    try:
        if isinstance(result, ox.QueryTriples):
            kind, chosen = "graph", choose(GRAPH_FORMATS, wanted)
        else:
            kind, chosen = "results", choose(RESULTS_FORMATS, wanted)
        out = io.BytesIO()
        result.serialize(out, chosen.oxigraph)  # SELECT and CONSTRUCT evaluate lazily, here
    except QueryError:
        raise
    except Exception as error:
        raise _failure(error, endpoints) from None
    finally:
        # pyoxigraph's results must be dropped on the thread that made them, not by
        # a garbage collection elsewhere that finds them in a traceback's frame.
        del result
    return QueryAnswer(out.getvalue(), chosen.content_type, kind)


def _failure(error: Exception, endpoints: tuple[str, ...]) -> Exception:
    """The error to show: never the text of a remote SERVICE's answer, which oxigraph echoes."""
    if endpoints:
        named = ", ".join(f"<{endpoint}>" for endpoint in endpoints)
        return RemoteServiceFailed(f"the remote SERVICE {named} failed")
    return QueryFailed(f"the query failed: {error}")


def _nesting_depth(query: str) -> int:
    """How deep brackets nest, counted over the whole text (strings too: a safe overestimate)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(query):
        if bracket.group() in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest
