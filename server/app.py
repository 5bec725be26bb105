"""The Flask application: the SPARQL endpoint, the query page and the dumps."""

from __future__ import annotations

import werkzeug
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from voxgraph.loader.store import Store
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
