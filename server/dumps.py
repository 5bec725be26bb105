"""Whole-store downloads: /dump.ttl, /dump.nt (the union of all graphs) and
/dump.trig, /dump.nq (every named graph).

The same data always gives byte-identical files: triples and quads are sorted
and the prefixes are the project's.
"""

from __future__ import annotations

import io
from typing import BinaryIO

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app

from loader.store import GraphStore
from voxgraph.iris import PREFIXES

bp = Blueprint("dumps", __name__)

DUMP_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
}


def write_dump(store: GraphStore, out: BinaryIO, fmt: str) -> None:
    """Write the whole store to `out` as `fmt`: "ttl", "nt", "trig" or "nq"."""
    if fmt not in DUMP_FORMATS:
        raise ValueError(f"unknown dump format {fmt!r}; use one of {', '.join(DUMP_FORMATS)}")
    rdf_format = DUMP_FORMATS[fmt][0]
    quads = list(store.quads())
    if rdf_format.supports_datasets:
        statements = sorted(quads, key=_quad_key)
    else:
        distinct = {(q.subject, q.predicate, q.object) for q in quads}
        statements = [
            ox.Triple(*spo) for spo in sorted(distinct, key=lambda spo: tuple(map(str, spo)))
        ]
    ox.serialize(statements, out, rdf_format, prefixes=dict(sorted(PREFIXES.items())))


def _quad_key(quad: ox.Quad) -> tuple[bool, str, str, str, str]:
    """Default graph first, then by graph name, subject, predicate, object."""
    in_named_graph = not isinstance(quad.graph_name, ox.DefaultGraph)
    return (
        in_named_graph,
        str(quad.graph_name),
        str(quad.subject),
        str(quad.predicate),
        str(quad.object),
    )


@bp.route("/dump.<fmt>")
def dump(fmt: str) -> Response:
    if fmt not in DUMP_FORMATS:
        abort(404)
    buffer = io.BytesIO()  # whole in memory for now; a spooled file would bound it
    write_dump(current_app.config["VOXGRAPH_STORE"], buffer, fmt)
    return Response(
        buffer.getvalue(),
        content_type=DUMP_FORMATS[fmt][1],
        headers={"Content-Disposition": f'attachment; filename="voxgraph.{fmt}"'},
    )
