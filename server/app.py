"""The Flask application: the SPARQL endpoint, the query page and the dumps."""

from __future__ import annotations

import werkzeug
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from voxgraph.loader.store import RemoteStoreError, Store
from voxgraph.server import dumps, ontology_docs, page, reconcile, resources, sparql, timeline, void
from voxgraph.server.reload import follow_snapshots
from voxgraph.server.settings import Settings
from voxgraph.server.workers import attach_pool

CORS_PATHS = (
    "/sparql",
    "/dump.",
    "/graph/",
    "/id/",
    "/page/",
    "/data/",
    "/ontology",
    "/shapes",
    "/.well-known/void",
    "/reconcile",
)


def create_app(store: Store, settings: Settings | None = None) -> Flask:
    """The app over `store`; the blueprints find both in app.config (VOXGRAPH_*).

    Over a read-only store on disk the app evaluates queries in a worker process
    (server/workers.py) and, if the store is a snapshot, follows newer ones
    (server/reload.py).
    """
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(
        VOXGRAPH_STORE=store,
        VOXGRAPH_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_body_bytes,
    )
    app.register_blueprint(page.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(dumps.bp)
    for blueprint in (resources.bp, timeline.bp, ontology_docs.bp, void.bp, reconcile.bp):
        app.register_blueprint(blueprint)
    app.after_request(allow_cross_origin)
    app.register_error_handler(HTTPException, plain_text_error)
    app.register_error_handler(TimeoutError, store_failed)  # RemoteTimeout among them
    app.register_error_handler(RemoteStoreError, store_failed)
    attach_pool(app, store, settings)
    follow_snapshots(app, store)
    return app


def allow_cross_origin(response: Response) -> Response:
    """Let web pages anywhere read the endpoint and the dumps (and pass their preflight)."""
    if request.path.startswith(CORS_PATHS):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = (
            "ETag, Content-Disposition, Content-Location, Location, Link"
        )
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def plain_text_error(error: HTTPException) -> werkzeug.Response:
    """Errors Flask raises itself (404, 405, 413 ...) as short text, like the endpoint's own."""
    response = error.get_response()
    response.set_data(f"{error.code} {error.name}: {error.description}\n")
    response.content_type = "text/plain; charset=utf-8"
    return response


def store_failed(error: Exception) -> tuple[str, int, dict[str, str]]:
    """A page the remote store (loader/store/remote.py) could not answer: 504 when it did
    not answer in time or refused the query as too long to run (Virtuoso's cost estimate),
    502 when it failed or cut its answer. Said as a page to a browser, as text otherwise;
    the endpoint (/sparql) answers these itself (server/query.py)."""
    timed_out = isinstance(error, TimeoutError)
    status = 504 if timed_out else 502
    problem = "The store did not answer in time" if timed_out else "The store could not answer"
    if request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html":
        page = render_template("store_error.html", problem=problem, reason=str(error))
        return page, status, {"Content-Type": "text/html; charset=utf-8"}
    return f"{status} {problem}: {error}\n", status, {"Content-Type": "text/plain; charset=utf-8"}
