"""The SPARQL 1.1 Protocol for queries, at /sparql (https://www.w3.org/TR/sparql11-protocol/).

GET ?query=, POST application/x-www-form-urlencoded with query=, and POST
application/sparql-query with the query as the body. A GET without a query
answers with the service description (as a page for a browser: an Accept that
names HTML and prefers it). Updates are refused in every form.

Exactly one query per request: a second `query` parameter (in the URL or the
form, or beside a query body) is a 400, not a choice made for the client. The
query body must be UTF-8, the only charset the protocol allows for it. Relative
IRIs in a query resolve against the endpoint's URL as the request named it
(`http://host:port/sparql`), the base the protocol expects; a BASE in the query
comes first. `tests/test_w3c_protocol.py` runs the W3C SPARQL 1.1 Protocol tests.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.wsgi import wrap_file

from voxgraph.server.errors import READ_ONLY, BadQuery, QueryError, UnsupportedBody
from voxgraph.server.formats import Wanted
from voxgraph.server.query import Dataset, run_query
from voxgraph.server.service_description import description_page, service_description
from voxgraph.server.void import wants_html

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
GRAPH_IRI_SCHEMES = ("http", "https", "urn")
# Set on an answer cut by settings.max_result_rows or max_result_bytes.
TRUNCATED_HEADER = "X-Voxgraph-Truncated"
FILE_BUFFER_BYTES = 64 * 1024  # a large answer is read from its temporary file this much at a time


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    try:
        if "update" in request.values or request.mimetype == UPDATE_BODY:
            return text_response(READ_ONLY, 403)
        query = query_text()
        wanted = wanted_format()
        if query is None:
            if request.method == "POST":
                return text_response(
                    "missing query: send query= or an application/sparql-query body", 400
                )
            store = current_app.config["VOXGRAPH_STORE"]
            if not wanted.format_name and wants_html(wanted.accept):  # a browser
                return Response(
                    description_page(store, request.base_url),
                    content_type="text/html; charset=utf-8",
                    headers={"Vary": "Accept"},
                )
            body, content_type = service_description(store, request.base_url, wanted)
            return Response(body, content_type=content_type, headers={"Vary": "Accept"})
        answer = run_query(
            current_app.config["VOXGRAPH_STORE"],
            query,
            requested_dataset(),
            current_app.config["VOXGRAPH_SETTINGS"],
            wanted,
            base_iri=endpoint_iri(),
        )
    except QueryError as error:
        response = text_response(error.message, error.status)
        response.headers.update(error.headers)
        return response
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"
    if isinstance(answer.body, bytes):
        return Response(answer.body, content_type=answer.content_type, headers=headers)
    # A large answer waits in a temporary file (server/workers.py): sent from there.
    headers["Content-Length"] = str(answer.body.seek(0, os.SEEK_END))
    answer.body.seek(0)
    stream = wrap_file(request.environ, answer.body, buffer_size=FILE_BUFFER_BYTES)
    return Response(
        stream, content_type=answer.content_type, headers=headers, direct_passthrough=True
    )


def query_text() -> str | None:
    """The one query of this request, or None if it has none."""
    queries = request.args.getlist("query")
    if request.method == "POST":
        if request.mimetype == FORM:
            queries += request.form.getlist("query")
        elif request.mimetype == QUERY_BODY:
            queries.append(query_body())
        else:
            body = request.mimetype or "(none)"
            raise UnsupportedBody(
                f"unsupported request body {body}: POST {FORM} with query= or {QUERY_BODY}"
            )
    if len(queries) > 1:
        raise BadQuery(
            f"{len(queries)} queries in one request: send exactly one (one query= parameter, "
            "or the query as the body)"
        )
    return queries[0] if queries else None


def endpoint_iri() -> str:
    """This endpoint's URL as the request named it: the base IRI of its queries."""
    try:
        return ox.NamedNode(request.base_url).value
    except ValueError:
        raise BadQuery(
            f"the endpoint's URL from this request's Host is not an IRI ({request.base_url!r}): "
            "relative IRIs in the query could not be resolved against it"
        ) from None


def query_body() -> str:
    """The query sent as an application/sparql-query body, which must be UTF-8."""
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedBody(
            f"charset {charset} is not accepted: UTF-8 is the only charset of {QUERY_BODY}"
        )
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError:
        raise BadQuery("the query body is not UTF-8") from None


def wanted_format() -> Wanted:
    return Wanted(
        accept=request.headers.get("Accept", ""), format_name=request.values.get("format", "")
    )


def requested_dataset() -> Dataset:
    return Dataset(
        default_graphs=tuple(
            graph_iri(v, "default-graph-uri") for v in request.values.getlist("default-graph-uri")
        ),
        named_graphs=tuple(
            graph_iri(v, "named-graph-uri") for v in request.values.getlist("named-graph-uri")
        ),
    )


def graph_iri(value: str, parameter: str) -> str:
    """`value` if it is an http, https or urn IRI; other schemes (file:, ...) are refused."""
    scheme = urlsplit(value).scheme.lower()
    if scheme not in GRAPH_IRI_SCHEMES:
        raise BadQuery(
            f"{parameter} must be an http, https or urn IRI, not {value!r}: graph IRIs only "
            "name graphs of this store, nothing is ever fetched, and other schemes are refused "
            "to keep that plain"
        )
    try:
        ox.NamedNode(value)
    except ValueError as error:
        raise BadQuery(f"{parameter} is not a valid IRI: {value!r} ({error})") from None
    return value


def text_response(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")
