"""SIGKILL the loader in the middle of a batch: every digest is whole or absent, no
worker process is left behind, and running the same command again completes the batch."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from voxgraph import iris
from voxgraph.loader import pipeline
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.registry import Registry
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import CORPUS

COPIES = 4  # each corpus digest, and copies dated 400 days apart: 20 digests in all


def shifted_corpus(folder: Path) -> list[Path]:
    """The corpus, and copies whose publication date moved by 400 days (same layout)."""
    files = []
    for source in sorted(CORPUS.glob("*.txt")):
        digest = read_digest(source)
        written = digest.text[digest.date_span.begin : digest.date_span.end]
        for copy in range(COPIES):
            moved = digest.date + timedelta(days=400 * copy)
            style = "%d.%m.%Y" if "." in written else "%B %-d, %Y"
            text = digest.text.replace(written, moved.strftime(style))
            path = folder / f"{moved.isoformat()}.txt"
            path.write_text(text, encoding="utf-8")
            files.append(path)
    return files


def digest_graphs(store: GraphStore) -> dict[str, set[str]]:
    graphs = [g for g in store.named_graphs() if "/graph/digest/" in g]
    return {g: {str(q) for q in store.quads(g)} for g in graphs}


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_killed_load_leaves_whole_digests_and_a_rerun_completes_it(
    tmp_path: Path, jobs: int
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    files = shifted_corpus(batch)
    store_dir = tmp_path / "store"
    command = [sys.executable, "-m", "voxgraph.cli", "load", str(batch), "--store", str(store_dir)]
    command += ["--jobs", str(jobs)]
    loader = subprocess.Popen(
        [*command, "--progress"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    assert loader.stderr is not None
    os.set_blocking(loader.stderr.fileno(), False)
    progress, started = b"", time.monotonic()
    while time.monotonic() - started < 120:
        progress += loader.stderr.read() or b""
        done = [int(n) for n in re.findall(rb"(\d+)/%d" % len(files), progress)]
        if done and max(done) >= 3:
            break
        time.sleep(0.05)
    time.sleep(0.3)  # well into the next digest
    workers = children(loader.pid)
    if jobs > 1:
        assert len(workers) >= jobs, f"the loader should run {jobs} worker processes: {workers}"
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in workers), "worker processes outlived the loader"

    registry = Registry.load()
    fresh = {
        str(iris.digest_graph(m.key)): {str(q) for q in _quads(m.graph, m.key)}
        for m in (pipeline.prepare(path, registry) for path in files)
    }
    killed = digest_graphs(GraphStore(store_dir))
    assert 3 <= len(killed) < len(files), "the kill came too early or too late to tell"
    for name, quads in killed.items():
        assert quads == fresh[name], f"{name} is half-stored"

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(killed)} unchanged" in rerun.stdout + rerun.stderr
    assert digest_graphs(GraphStore(store_dir)) == fresh


def _quads(graph, key: str) -> list[str]:
    """The quads `graph` becomes once stored as digest `key`'s named graph."""
    store = GraphStore()
    store.replace_graph(iris.digest_graph(key), graph)
    return list(store.quads())
