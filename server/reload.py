"""Follow the loader's snapshots: switch to a newer one between requests.

The server opens the newest snapshot of the store read-only (see
loader/store/oxigraph.py). Before each request it looks at the snapshots' CURRENT file
(one stat; read only when it changed) and, if the loader has published a newer
snapshot, opens that one and puts it in app.config["VOXGRAPH_STORE"]. Requests
already running keep the handle they started with, and a snapshot is taken
after a whole batch, so readers never see a digest half-loaded. Worker
processes get the snapshot's path with each query and reopen when it changes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from voxgraph.loader.store import Store
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot


class SnapshotFollower:
    """Swaps the app's store for the newest snapshot when CURRENT changes."""

    def __init__(self, app: Flask, store: Store):
        assert store.path is not None
        self.app = app
        self.current = store.path
        self.pointer = store.path.parent / "CURRENT"
        self.seen = self._stamp()
        self.lock = threading.Lock()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            status = self.pointer.stat()
        except OSError:
            return None
        return status.st_mtime_ns, status.st_ino

    def refresh(self) -> None:
        stamp = self._stamp()
        if stamp == self.seen:
            return
        with self.lock:
            if stamp == self.seen:
                return
            newest = latest_snapshot(self.current)
            if newest is not None and newest != self.current:
                self.app.config["VOXGRAPH_STORE"] = GraphStore(newest, read_only=True)
                self.current = newest
            self.seen = stamp


def follow_snapshots(app: Flask, store: Store) -> SnapshotFollower | None:
    """Make `app` follow newer snapshots if `store` is one (read-only, in STORE.snapshots/)."""
    if not store.read_only or store.path is None or not _is_snapshot(store.path):
        return None
    follower = SnapshotFollower(app, store)
    app.before_request(follower.refresh)
    return follower


def _is_snapshot(path: Path) -> bool:
    return path.parent.name.endswith(".snapshots")
