"""What the server computes once per version of the data, and keeps until the data changes.

A snapshot (what `voxgraph serve` reads from disk) never changes: what is computed
from it holds for as long as the app serves it, and the app moves to a newer
snapshot as a new store object (server/reload.py). Any other store (a remote one,
or a store open for writing in this process) may change under the server: there
the version is the fingerprint of the data kept in its statistics
(loader/statistics.py), one small read per request, and a store without
statistics is never cached.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from loader.store import GraphStore

T = TypeVar("T")
EXTENSION = "voxgraph-cache"
MAX_NAMES = 64  # names may carry what a client sent (its Host): past this, nothing new is kept


def data_version(store: GraphStore) -> object | None:
    """Something that changes when the store's data does; None if that cannot be known."""
    if getattr(store, "read_only", False) and getattr(store, "path", None) is not None:
        return store  # a read-only store on disk: the same object, the same data
    statistics = store.statistics()
    return None if statistics is None else (id(store), statistics.version)


def per_version(store: GraphStore, name: str, compute: Callable[[GraphStore], T]) -> T:
    """`compute(store)`, computed once per version of the store's data and kept in the app
    (by one request at a time: the others wait for it rather than compute it again)."""
    version = data_version(store)
    if version is None:
        return compute(store)
    entries = current_app.extensions.setdefault(EXTENSION, {"lock": threading.Lock()})
    with entries["lock"]:
        entry = entries.get(name)
        if entry is None:
            if len(entries) > MAX_NAMES:
                return compute(store)
            entry = entries[name] = {"lock": threading.Lock(), "version": None}
    with entry["lock"]:
        if entry["version"] != version:
            entry["value"] = compute(store)
            entry["version"] = version
        return entry["value"]
