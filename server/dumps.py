"""Downloads: the whole store (/dump.ttl, .nt: the union of all graphs; /dump.trig, .nq:
every named graph) and each named graph on its own (/graph/digest/2022-11-04.trig), each
also gzipped (/dump.nq.gz).

The same data always gives byte-identical files: statements are sorted, the prefixes
are the project's and gzip gets no timestamp. Bodies are streamed: the sorted statements
are serialized a batch at a time (Turtle and TriG batches end where a subject, or a
graph, ends, so every batch is a well-formed piece of the file). The sort itself is
still done in memory.

Every download carries an ETag (a hash of the sorted quads and the format) and a
Last-Modified (when the store last changed on disk), and conditional requests get 304.
"""

from __future__ import annotations

import hashlib
import os
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import BinaryIO

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, request
from werkzeug.http import is_resource_modified

from loader.store import GraphStore
from voxgraph.iris import BASE, PREFIXES

bp = Blueprint("dumps", __name__)

DUMP_FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
}
BATCH = 2_000  # statements serialized at a time
SORTED_PREFIXES = dict(sorted(PREFIXES.items()))
STARTED = time.time()


@dataclass(frozen=True)
class Download:
    """What one download holds: the sorted statements, and the headers that name them."""

    statements: list[ox.Triple] | list[ox.Quad]
    etag: str


def write_dump(store: GraphStore, out: BinaryIO, fmt: str) -> None:
    """Write the whole store to `out` as `fmt`: "ttl", "nt", "trig" or "nq"."""
    if fmt not in DUMP_FORMATS:
        raise ValueError(f"unknown dump format {fmt!r}; use one of {', '.join(DUMP_FORMATS)}")
    for chunk in serialize(prepare(store, fmt).statements, fmt):
        out.write(chunk)


def prepare(store: GraphStore, fmt: str, graph: str | None = None) -> Download:
    """The sorted statements of the store (or of one named graph) for `fmt`."""
    quads = sorted(store.ox.quads_for_pattern(None, None, None, _graph_node(graph)), key=_quad_key)
    digest = hashlib.sha256(fmt.encode())
    for quad in quads:
        digest.update(f"{quad}\n".encode())
    statements: list[ox.Triple] | list[ox.Quad] = quads
    if not DUMP_FORMATS[fmt][0].supports_datasets:
        distinct = {(q.subject, q.predicate, q.object) for q in quads}
        statements = [ox.Triple(*spo) for spo in sorted(distinct, key=_triple_key)]
    return Download(statements, digest.hexdigest()[:32])


def serialize(statements: list[ox.Triple] | list[ox.Quad], fmt: str) -> Iterator[bytes]:
    """`statements` as `fmt`, a batch at a time; the prefixes come once, at the top."""
    rdf_format = DUMP_FORMATS[fmt][0]
    if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        for start in range(0, len(statements), BATCH):
            yield ox.serialize(statements[start : start + BATCH], format=rdf_format)
        return
    # A batch ends where a graph (TriG) or a subject (Turtle) ends, so it stands on its own.
    if rdf_format.supports_datasets:
        groups = groupby(statements, key=lambda q: q.graph_name)
    else:
        groups = groupby(statements, key=lambda t: t.subject)
    first = True
    for batch in _batches((list(group) for _, group in groups), BATCH):
        body = ox.serialize(batch, format=rdf_format, prefixes=SORTED_PREFIXES)
        if not first:  # the prefixes were written with the first batch
            body = b"".join(
                line for line in body.splitlines(keepends=True) if not line.startswith(b"@prefix ")
            )
        first = False
        yield body


def gzipped(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """gzip of the chunks, with no file name or timestamp in the header (so it is deterministic)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    for chunk in chunks:
        compressed = compressor.compress(chunk)
        if compressed:
            yield compressed
    yield compressor.flush()


@bp.route("/dump.<ext>")
def dump(ext: str) -> Response:
    fmt, gz = split_extension(ext)
    if fmt not in DUMP_FORMATS:
        abort(404)
    return download(None, fmt, gz, f"voxgraph.{fmt}")


@bp.route("/graph/<path:rest>")
def graph_download(rest: str) -> Response:
    """/graph/digest/2022-11-04.ttl: the named graph <https://w3id.org/voxgraph/graph/digest/2022-11-04>.

    The graph's IRI itself (no extension) names the graph, not a document: 303 to its TriG.
    """
    name, dot, ext = rest.partition(".")
    graph = BASE + "graph/" + name
    if graph not in current_app.config["VOXGRAPH_STORE"].named_graphs():
        abort(404)
    if not dot:
        return redirect(f"/graph/{name}.trig", 303)
    fmt, gz = split_extension(ext)
    if fmt not in DUMP_FORMATS:
        abort(404)
    return download(graph, fmt, gz, "voxgraph-" + name.replace("/", "-") + "." + fmt)


def split_extension(ext: str) -> tuple[str, bool]:
    """ "nq.gz" -> ("nq", True); "ttl" -> ("ttl", False)."""
    fmt = ext.removesuffix(".gz")
    return fmt, fmt != ext


def download(graph: str | None, fmt: str, gz: bool, filename: str) -> Response:
    """The streamed download of `graph` (None: the whole store), or 304 if the client has it."""
    store = current_app.config["VOXGRAPH_STORE"]
    prepared = prepare(store, fmt, graph)
    etag = prepared.etag + ("-gz" if gz else "")
    modified = last_modified(store)
    headers = {"Cache-Control": "no-cache"}
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(status=304, headers=headers)
    else:
        body = serialize(prepared.statements, fmt)
        if gz:
            filename += ".gz"
            body = gzipped(body)
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        content_type = "application/gzip" if gz else DUMP_FORMATS[fmt][1]
        response = Response(body, content_type=content_type, headers=headers)
    response.set_etag(etag)
    response.last_modified = modified
    return response


def last_modified(store: GraphStore) -> datetime:
    """When the store last changed on disk (an in-memory store: when this process started)."""
    newest = STARTED
    if store.path is not None and store.path.is_dir():
        with os.scandir(store.path) as entries:
            newest = max((e.stat().st_mtime for e in entries if e.is_file()), default=STARTED)
    return datetime.fromtimestamp(int(newest), UTC)


def _graph_node(graph: str | None) -> ox.NamedNode | None:
    return ox.NamedNode(graph) if graph else None


def _batches(groups: Iterable[list], size: int) -> Iterator[list]:
    batch: list = []
    for group in groups:
        batch.extend(group)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _triple_key(spo: tuple) -> tuple[str, str, str]:
    return tuple(map(str, spo))  # type: ignore[return-value]


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
