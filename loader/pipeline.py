"""The loading pipeline: files -> parse -> map -> validate -> store.

Each digest is checked in full before anything is written, and then replaces
its own named graph in one transaction: a bad file among good ones is
reported and skipped, the good ones load, and nothing stored before is lost
or half-replaced. A digest whose source and mapping code are unchanged since
it was loaded is skipped (its stored `vox:fingerprint` matches), and so is a
file with the same bytes as one before it in the batch (with a warning).

Crash safety: a digest is stored by one SPARQL Update (drop its graph, insert
the new one), which RocksDB commits atomically through its write-ahead log,
so a loader killed at any point leaves each digest either whole or as it was;
running the same command again loads what is missing (the rest is unchanged).
After the batch, loader/store/consolidate.py brings the incidents graph up to date with
the digests the batch stored, and then the store publishes a snapshot for the server
(loader/store/oxigraph.py): readers switch to digests and incidents together. The store keeps
its statistics (loader/store/statistics.py) in the same transactions as the data; a store
that has none yet gets them counted once, before the first write.

Parallelism: parsing, mapping and SHACL (nearly all of the cost; pyshacl alone
is about 60 %) are independent per digest, so with `jobs` > 1 they run in that
many worker processes while this process stays the one writer, storing the
results in file order. Output is identical for any `jobs`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCTERMS
from tqdm import tqdm

from voxgraph import iris
from voxgraph.iris import VOX
from voxgraph.loader.extract import nlp
from voxgraph.loader.map.graph import map_digest
from voxgraph.loader.read.digest import DigestError
from voxgraph.loader.read.parse import digest_from_bytes
from voxgraph.loader.read.webpage import PAGE_SUFFIXES, digest_input
from voxgraph.loader.registry import Registry
from voxgraph.loader.store import RemoteStoreError, RemoteTimeout, Store, consolidate
from voxgraph.loader.store.oxigraph import (
    StoreFormError,
    check_stored_form,
    graph_as_ntriples,
)
from voxgraph.loader.validate.shacl import ShapeError, check
from voxgraph.ontology import ontology_graph
from voxgraph.paths import DATA, MAPPINGS, ONTOLOGY, SHAPES

# Digest text files, and saved pages of the series (read by loader/read/webpage.py).
DIGEST_SUFFIXES = (".txt", *PAGE_SUFFIXES)
STAGES = ("parse", "map", "shacl", "store", "consolidate")
# Starting a worker process (imports, the registry) costs about as much as
# preparing a few digests: smaller batches are prepared in this process.
MIN_FILES_PER_JOB = 10
IN_FLIGHT_PER_JOB = 4  # digests handed to each worker ahead: bounds memory, keeps it busy
# Oxigraph keeps written data in memory until a flush: without one every stored
# digest added ~0.6 MB to the loader's memory for good (713 MB at 1,000 digests).
FLUSH_EVERY = 100  # stored digests


@dataclass
class Report:
    """What a batch did, file by file."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)  # source -> same bytes as this
    failed: dict[str, str] = field(default_factory=dict)  # source -> readable reason
    # source -> (digest key, the other file it came from): with replace=True only
    replaced: dict[str, tuple[str, str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)  # loaded, but see these
    # Seconds spent per stage (STAGES), summed over digests and worker processes.
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STAGES, 0.0))
    consolidation: consolidate.Outcome | None = None  # what the incidents stage did

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class MappedDigest:
    source: Path
    key: str
    fingerprint: str
    graph: Graph
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # parse, map, shacl


def digest_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the digest files inside folders named, in a stable order.

    Inside a folder, hidden folders (such as the page cache `voxgraph harvest`
    keeps in `.cache/`) are not searched.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in DIGEST_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
                )
            )
        else:
            found.append(path)
    return found


@cache
def mapping_version() -> str:
    """A checksum of everything that decides how text becomes triples."""
    digest = hashlib.sha256()
    # consolidate.py and incidents.py make no digest's graph: they have a version of their own.
    code = Path(__file__).resolve().parent  # loader/, voxgraph/loader/ in a wheel
    sources = [
        *sorted(p for p in code.rglob("*.py") if p.name not in ("consolidate.py", "incidents.py")),
        *sorted(MAPPINGS.glob("*")),
        ONTOLOGY,
        SHAPES,
    ]
    digest.update(f"{nlp.MODEL} {nlp.MODEL_VERSION}\0".encode())
    for path in sources:
        if path.is_file():
            # loader/..., mappings/...: the same names in a checkout and in a wheel
            name = path.relative_to(code.parent if path.is_relative_to(code) else DATA).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprint(raw: bytes, source: str) -> str:
    """What decides a digest's graph: its bytes, its source (dcterms:source) and the mapping."""
    content = hashlib.sha256(raw + b"\0" + source.encode()).hexdigest()[:32]
    return f"{content}-{mapping_version()}"


def prepare(
    path: Path, registry: Registry, raw: bytes | None = None, source: str | None = None
) -> MappedDigest:
    """Parse, map and SHACL-check one file (given its digest bytes and source, if already read).

    Raises DigestError or ShapeError.
    """
    if raw is None:
        raw, source = digest_input(path)
    source = source or path.name
    started = time.perf_counter()
    digest = digest_from_bytes(raw, source)
    key = iris.digest_key(digest.date, digest.series)
    stamp = fingerprint(raw, source)
    parsed = time.perf_counter()
    graph = map_digest(digest, registry, stamp)
    mapped = time.perf_counter()
    check(graph, context=registry.graph(), digest=f"{path.name} ({key})")
    seconds = {
        "parse": parsed - started,
        "map": mapped - parsed,
        "shacl": time.perf_counter() - mapped,
    }
    return MappedDigest(path, key, stamp, graph, digest.warnings, seconds)


@dataclass
class StorableDigest:
    """A prepared digest as the writer needs it: the graph as N-Triples text.

    Text crosses from a worker process to the writer several times faster than a
    pickled rdflib Graph, and the conversion runs in the worker.
    """

    key: str
    ntriples: str
    warnings: list[str]
    seconds: dict[str, float]
    source: str = ""  # its dcterms:source: the file name, or the URL of a page or sidecar


def prepare_or_reason(
    path: Path, registry: Registry, raw: bytes, source: str
) -> StorableDigest | str:
    """`prepare`, ready to store, or the readable reason why the file cannot be loaded."""
    try:
        mapped = prepare(path, registry, raw, source)
        started = time.perf_counter()
        ntriples = graph_as_ntriples(mapped.graph)
        check_stored_form(ntriples, f"{path.name} ({mapped.key})")
        seconds = {**mapped.seconds, "store": time.perf_counter() - started}
        return StorableDigest(mapped.key, ntriples, mapped.warnings, seconds, source)
    except (DigestError, ShapeError, StoreFormError) as error:
        return str(error)
    except Exception as error:  # a bug in a mapper must not stop the batch
        return f"{path}: could not be mapped ({type(error).__name__}: {error})"


def load_reference_graphs(store: Store, registry: Registry, report: Report) -> None:
    """The ontology and the curated registry, each in its own named graph.

    A remote store is not sent a graph it holds already; one it cannot store is a
    failure of that file in `report`, and the digests still load.
    """
    ontology = graph_as_ntriples(ontology_graph())
    check_stored_form(ontology, ONTOLOGY.name)
    registry_graph = registry.graph()
    check(registry_graph, digest="mappings/actors.yaml")
    registry_triples = graph_as_ntriples(registry_graph)
    check_stored_form(registry_triples, "mappings/actors.yaml")
    for source, name, ntriples in (
        (ONTOLOGY, iris.ONTOLOGY_GRAPH, ontology),
        (MAPPINGS / "actors.yaml", iris.REGISTRY_GRAPH, registry_triples),
    ):
        if store.holds(name, ntriples):
            continue
        where = str(source.relative_to(DATA))
        try:
            notes = store.replace_graph(name, ntriples)
        except (RemoteStoreError, RemoteTimeout) as error:
            report.failed[where] = f"{where}: not stored: {error}"
            continue
        if notes:  # what the store's engine changed
            report.warnings.setdefault(where, []).extend(f"{where}: {n}" for n in notes)


def run(
    paths: Iterable[str | Path],
    store: Store | None = None,
    *,
    progress: bool = False,
    jobs: int = 1,
    replace: bool = False,
) -> Report:
    """Check every digest file and, given a store, load the ones that pass.

    `jobs` > 1 prepares digests in that many worker processes (for batches of
    at least MIN_FILES_PER_JOB files per worker); storing stays in this process.

    A digest is identified by its date (its key), a file by its name (stored as
    the digest's dcterms:source; the folder does not count, so a corpus may move).
    A file whose digest is already stored from another file, or comes from an
    earlier file of the batch, is refused and changes nothing, unless `replace`:
    then it takes that digest's place (listed in `report.replaced`). Loading the
    same file again after editing it replaces its digest either way.
    """
    registry = Registry.load()
    report = Report()
    if store is not None:
        try:
            if store.statistics() is None:  # a new store, or one written by an older version
                store.recount_statistics()
        except (RemoteStoreError, RemoteTimeout) as error:  # the digests still try
            report.failed["statistics"] = f"statistics: not counted: {error}"
        load_reference_graphs(store, registry, report)
    # Incidents that disagree with the digests (a loader killed mid-batch, another
    # version of consolidate.py, a new store) are recomputed in full after the batch.
    consolidated = store is not None and consolidate.is_current(store)
    stored: list[str] = []  # digest keys this batch stored
    files = digest_files(paths)
    bar = tqdm(total=len(files), desc="digests", unit="digest", disable=not progress)
    todo = _to_prepare(files, store, report, bar)
    workers = max(1, min(jobs, len(files) // MIN_FILES_PER_JOB))
    seen: dict[str, Path] = {}  # digest key -> the file of this batch it came from
    for path, outcome in _prepared(todo, registry, workers):
        bar.update()
        name = str(path)
        if isinstance(outcome, str):
            report.failed[name] = outcome
            continue
        for stage, seconds in outcome.seconds.items():
            report.seconds[stage] += seconds
        key = outcome.key
        if key in seen and not replace:
            report.failed[name] = (
                f"{name}: digest {key} (its date) also comes from {seen[key]}, earlier in this "
                f"batch; not loaded. `voxgraph load --replace` loads the later file in its place"
            )
            continue
        if store is not None:
            started = time.perf_counter()
            if consolidated and not stored:
                consolidate.mark_pending(store)
            stored.append(key)
            source = outcome.source or path.name
            try:
                other, notes = _store_digest(
                    store, key, outcome.ntriples, source, seen.get(key), replace
                )
            except (RemoteStoreError, RemoteTimeout) as error:  # that digest fails, named
                report.failed[name] = f"{name}: not stored: {error}"
                continue
            finally:
                report.seconds["store"] += time.perf_counter() - started
            if notes:  # what the store's engine changed
                report.warnings.setdefault(name, []).extend(f"{name}: {n}" for n in notes)
            if other is not None and not replace:
                report.failed[name] = (
                    f"{name}: digest {key} (its date) is already stored from another file, "
                    f"{other}; not loaded, nothing changed. If {path.name} is a new version of "
                    f"that digest, `voxgraph load --replace {name}` puts it in its place"
                )
                continue
            if other is not None:
                report.replaced[name] = (key, other)
            if len(report.loaded) % FLUSH_EVERY == FLUSH_EVERY - 1:
                store.flush()
        elif key in seen:
            report.replaced[name] = (key, str(seen[key]))
        seen[key] = path
        report.loaded.append(name)
        if outcome.warnings:
            report.warnings.setdefault(name, []).extend(outcome.warnings)
    bar.close()
    if store is not None:
        if not consolidated or stored:
            touched = [iris.digest_iri(key) for key in stored] if consolidated else None
            try:
                report.consolidation = consolidate.consolidate(store, touched)
                report.seconds["consolidate"] += report.consolidation.seconds
            except (RemoteStoreError, RemoteTimeout) as error:  # the digests stay stored
                report.failed["incidents"] = f"incidents: not consolidated: {error}"
        started = time.perf_counter()
        store.flush()
        if store.path is not None:
            store.publish_snapshot()
        report.seconds["store"] += time.perf_counter() - started
    return report


def _store_digest(
    store: Store, key: str, ntriples: str, source: str, earlier: Path | None, replace: bool
) -> tuple[str | None, list[str]]:
    """Store one digest's graph; returns the other file its digest came from, if any,
    and the store's notes on what its engine changed (Store.take_notes).

    `source` is the digest's dcterms:source: its file's name, or the URL a
    harvested file's sidecar or a saved page names (loader/read/webpage.py).

    Without `replace` a digest stored from another file stays as it is (and that
    file is returned); with it the graph is replaced and the file it came from
    (an `earlier` file of this batch, or the stored dcterms:source) is returned.
    """
    graph, digest = iris.digest_graph(key), iris.digest_iri(key)
    if not replace:
        other = store.replace_unless_other_source(graph, ntriples, digest, source)
        return other, store.take_notes()
    before = str(earlier) if earlier else store.value(graph, digest, DCTERMS.source)
    notes = store.replace_graph(graph, ntriples)
    return (before if before is not None and before != source else None), notes


def _to_prepare(
    files: list[Path], store: Store | None, report: Report, bar: tqdm
) -> Iterator[tuple[Path, bytes, str]]:
    """The files that need preparing, with their digest bytes and source, read one at a time.

    Unreadable files, repeats of earlier bytes and digests stored unchanged are
    recorded in `report` (and counted on `bar`) instead.
    """
    contents: dict[str, Path] = {}  # sha-256 of the bytes -> file
    for path in files:
        name = str(path)
        try:
            raw, source = digest_input(path)
        except (DigestError, OSError) as error:
            report.failed[name] = str(error)
            bar.update()
            continue
        content = hashlib.sha256(raw).hexdigest()
        if content in contents:
            report.duplicates[name] = str(contents[content])
            bar.update()
            continue
        contents[content] = path
        if store is not None and _stored(store, fingerprint(raw, source)):
            report.unchanged.append(name)
            bar.update()
            continue
        yield path, raw, source


def _prepared(
    todo: Iterator[tuple[Path, bytes, str]], registry: Registry, jobs: int
) -> Iterator[tuple[Path, StorableDigest | str]]:
    """Each file of `todo` prepared (or the reason it failed), in the order of `todo`."""
    if jobs <= 1:
        for path, raw, source in todo:
            yield path, prepare_or_reason(path, registry, raw, source)
        return
    # spawn: a fresh interpreter per worker, never a fork of a process holding
    # an open RocksDB store and its threads.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[tuple[Path, Future]] = deque()
        for path, raw, source in todo:
            pending.append((path, pool.submit(_prepare_in_worker, path, raw, source)))
            if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                path, future = pending.popleft()
                yield path, future.result()
        while pending:
            path, future = pending.popleft()
            yield path, future.result()


_worker_registry: Registry | None = None


def _start_worker(parent: int) -> None:
    global _worker_registry
    _worker_registry = Registry.load()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker when the loader is gone (a killed loader cannot stop its workers)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _prepare_in_worker(path: Path, raw: bytes, source: str) -> StorableDigest | str:
    assert _worker_registry is not None, "the worker was not started by _start_worker"
    return prepare_or_reason(path, _worker_registry, raw, source)


def _stored(store: Store, stamp: str) -> bool:
    """True if a digest with this exact fingerprint is already stored."""
    # A fingerprint is hex digits and '-': safe inside a literal.
    return bool(store.query(f'ASK {{ ?digest <{VOX.fingerprint}> "{stamp}" }}'))
