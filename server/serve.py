"""Serve the app with waitress (not Flask's development server)."""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot, store_path
from voxgraph.loader.store.remote import RemoteStore
from voxgraph.loader.store.remote_protocol import store_url as remote_store_url
from voxgraph.server.app import create_app
from voxgraph.server.memory import format_size
from voxgraph.server.query import THREAD_STACK_BYTES
from voxgraph.server.settings import Settings

# More threads than query slots (settings.max_concurrent_queries), so that a
# query beyond the limit is answered 503 at once rather than queued unseen.
THREADS = 32


def make_server(
    app: Flask, host: str, port: int, settings: Settings, **options: Any
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for `app` (port 0: any free port) whose worker threads have big stacks.

    `options` go to waitress (threads=8 unless given).
    """
    threading.stack_size(THREAD_STACK_BYTES)
    options.setdefault("threads", THREADS)
    return create_server(
        app,
        host=host,
        port=port,
        max_request_body_size=settings.max_body_bytes,
        ident="voxgraph",
        **options,
    )


def serve(
    path: str | os.PathLike[str] | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    threads: int = THREADS,
    store_url: str | None = None,
) -> None:
    """Serve the store at `path` (None: $VOXGRAPH_STORE or var/store) read-only.

    What is served is the store's newest snapshot, which the loader publishes
    after each batch; the server moves to a newer one between requests, so
    digests loaded meanwhile appear without a restart. A store without
    snapshots (never loaded by this version) is opened itself, read-only.

    With `store_url` (or $VOXGRAPH_STORE_URL) queries are forwarded to that
    SPARQL 1.1 server instead (loader/store/remote.py), each within
    `settings.timeout` seconds of HTTP time-out; no worker processes then.
    """
    settings = settings or Settings()
    remote = remote_store_url(store_url)
    if remote:
        store: Store = RemoteStore(
            remote, timeout=settings.timeout, max_answer_bytes=2 * settings.max_result_bytes
        )
    else:
        primary = store_path(path)
        store = GraphStore(latest_snapshot(primary) or primary, read_only=True)
    server = make_server(create_app(store, settings), host, port, settings, threads=threads)
    url = f"http://{host}:{server.effective_port}/"
    where = remote or store.path
    print(f"voxgraph: serving {where} at {url} (SPARQL endpoint: {url}sparql)", flush=True)
    if not remote and settings.workers > 0:
        print(
            f"voxgraph: queries in {settings.workers} worker threads, each within "
            f"{settings.timeout:g} s, together within {format_size(settings.max_memory)} "
            "of memory",
            flush=True,
        )
    if store.statistics() is None:
        print(
            "voxgraph: this store keeps no statistics (loaded by an older version?): VoID "
            "has no counts and the timeline is off until `voxgraph load` counts them",
            flush=True,
        )
    server.run()
