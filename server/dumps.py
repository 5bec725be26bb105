"""Downloads over HTTP: the whole store (/dump.ttl, .nt: the union of all graphs;
/dump.trig, .nq: every named graph) and each named graph on its own
(/graph/digest/2022-11-04.trig), each also gzipped (/dump.nq.gz). Streamed, with an
ETag and Last-Modified, and 304 for a client that has them: what is written, in what
order, and what identifies it is the storage stage's (loader/store/dumps.py).
"""

from __future__ import annotations

import werkzeug
from flask import Blueprint, Response, abort, current_app, redirect, request
from werkzeug.http import is_resource_modified

from voxgraph.iris import BASE
from voxgraph.loader.store import Store
from voxgraph.loader.store.dumps import (
    DUMP_FORMATS,
    dump_chunks,
    etag,
    gzipped,
    holds_graph,
    last_modified,
)

bp = Blueprint("dumps", __name__)


@bp.route("/dump.<ext>")
def dump(ext: str) -> Response:
    fmt, gz = split_extension(ext)
    if fmt not in DUMP_FORMATS:
        abort(404)
    return download(None, fmt, gz, f"voxgraph.{fmt}")


@bp.route("/graph/<path:rest>")
def graph_download(rest: str) -> werkzeug.Response:
    """/graph/digest/2022-11-04.ttl: the named graph <https://w3id.org/voxgraph/graph/digest/2022-11-04>.

    The graph's IRI itself (no extension) names the graph, not a document: 303 to its TriG.
    """
    name, dot, ext = rest.partition(".")
    graph = BASE + "graph/" + name
    if not holds_graph(current_app.config["VOXGRAPH_STORE"], graph):
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
    store: Store = current_app.config["VOXGRAPH_STORE"]
    tag = etag(store, fmt, gz, graph)
    modified = last_modified(store)
    headers = {"Cache-Control": "no-cache"}
    if not is_resource_modified(request.environ, etag=tag, last_modified=modified):
        response = Response(status=304, headers=headers)
    else:
        body = dump_chunks(store, fmt, graph)
        if gz:
            filename += ".gz"
            body = gzipped(body)
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        content_type = "application/gzip" if gz else DUMP_FORMATS[fmt][1]
        response = Response(body, content_type=content_type, headers=headers)
    response.set_etag(tag)
    response.last_modified = modified
    return response
