"""The cost of evaluating queries in worker processes: latency of the example
queries in the server process (workers=0) and through the worker pool, one
client at a time, over HTTP on 127.0.0.1.

    .venv/bin/python benchmarks/worker_overhead.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.loadtest import PREFIXES, QUERIES  # noqa: E402
from voxgraph.loader import pipeline  # noqa: E402
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot  # noqa: E402
from voxgraph.paths import CORPUS  # noqa: E402
from voxgraph.server.app import create_app  # noqa: E402
from voxgraph.server.query import POOL_KEY  # noqa: E402
from voxgraph.server.serve import make_server  # noqa: E402
from voxgraph.server.settings import Settings  # noqa: E402


def measure(url: str, repeat: int) -> dict[str, float]:
    session = requests.Session()
    medians = {}
    for name, query in QUERIES.items():
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            session.get(url, params={"query": PREFIXES + query}).raise_for_status()
            times.append(time.perf_counter() - began)
        medians[name] = statistics.median(times) * 1000
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    import threading

    with tempfile.TemporaryDirectory() as scratch:
        primary = Path(scratch) / "store"
        pipeline.run([CORPUS], GraphStore(primary))
        snapshot = latest_snapshot(primary)
        figures = {}
        for label, workers in (("in process", 0), ("workers", 4)):
            settings = Settings(workers=workers)
            app = create_app(GraphStore(snapshot, read_only=True), settings)
            server = make_server(app, "127.0.0.1", 0, settings, threads=4)
            threading.Thread(target=server.run, daemon=True).start()
            url = f"http://127.0.0.1:{server.effective_port}/sparql"
            measure(url, 3)  # warm up
            figures[label] = measure(url, args.repeat)
            if POOL_KEY in app.extensions:
                app.extensions[POOL_KEY].close()
            server.close()
    print(f"{'query':<20} {'in process ms':>14} {'workers ms':>11} {'added ms':>9}")
    for name in QUERIES:
        inside, pooled = figures["in process"][name], figures["workers"][name]
        print(f"{name:<20} {inside:>14.2f} {pooled:>11.2f} {pooled - inside:>9.2f}")


if __name__ == "__main__":
    main()
