"""What the server computes once per version of the data, and keeps until the data changes.

A snapshot (what `voxgraph serve` reads from disk) never changes: what is computed
from it holds for as long as the app serves it, and the app moves to a newer
snapshot as a new store object (server/reload.py). Any other store (a remote one,
or a store open for writing in this process) may change under the server: there
the version is the fingerprint of the data kept in its statistics
(loader/store/statistics.py), one small read per request, and a store without
statistics is never cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from voxgraph.loader.store import Store

T = TypeVar("T")
EXTENSION = "voxgraph-cache"
MAX_NAMES = 64  # names may carry what a client sent (its Host): past this, nothing new is kept


def data_version(store: Store) -> object | None:
    """Something that changes when the store's data does; None if that cannot be known."""
    if getattr(store, "read_only", False) and getattr(store, "path", None) is not None:
        return store  # a read-only store on disk: the same object, the same data
    statistics = store.statistics()
    return None if statistics is None else (id(store), statistics.version)


def per_version(store: Store, name: str, compute: Callable[[Store], T]) -> T:
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


KEPT = "voxgraph-kept"
KEPT_BUDGET = 200_000  # list items kept in all (an actor's index entries: ~30 MB at most)


def kept_list(store: Store, key: str, compute: Callable[[], list[T]]) -> list[T]:
    """`compute()`, a list, kept for this version of the data under `key` while the lists
    kept hold at most KEPT_BUDGET items together, the least recently used going first.

    For what is costly to compute and asked for again page after page: an actor's
    statements and events in order (one index entry each), which the second and the
    later pages of the same actor then take from here.
    """
    version = data_version(store)
    if version is None:
        return compute()
    state = current_app.extensions.setdefault(
        KEPT, {"lock": threading.Lock(), "version": None, "lists": OrderedDict(), "items": 0}
    )
    with state["lock"]:
        if state["version"] != version:
            state.update(version=version, lists=OrderedDict(), items=0)
        found = state["lists"].get(key)
        if found is not None:
            state["lists"].move_to_end(key)
            return found
    value = compute()
    if len(value) > KEPT_BUDGET:
        return value
    with state["lock"]:
        if state["version"] == version and key not in state["lists"]:
            state["lists"][key] = value
            state["items"] += len(value)
            while state["items"] > KEPT_BUDGET:
                _, dropped = state["lists"].popitem(last=False)
                state["items"] -= len(dropped)
    return value
