"""Serve the app with waitress (not Flask's development server)."""

from __future__ import annotations

import os
import threading
from typing import Any

from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from loader.store import GraphStore, store_path
from server.app import create_app
from server.settings import Settings

THREADS = 8
# Oxigraph parses and evaluates recursively in the calling thread; a long query
# (100,000 characters of BIND or UNION) needs far more stack than the usual 8 MiB.
# Only the pages a thread touches take memory.
THREAD_STACK_BYTES = 256 * 1024 * 1024


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
) -> None:
    """Open the store at `path` (None: $VOXGRAPH_STORE or var/store) read-only and serve it.

    Read-only: this process can never change the data, and a loader may write
    the store meanwhile; restart the server to see what it loaded.
    """
    settings = settings or Settings()
    store = GraphStore(store_path(path), read_only=True)
    server = make_server(create_app(store, settings), host, port, settings, threads=threads)
    url = f"http://{host}:{server.effective_port}/"
    print(f"voxgraph: serving {store.path} at {url} (SPARQL endpoint: {url}sparql)", flush=True)
    server.run()
