"""The remote backend on two engines: load time and the query mix of benchmarks/queries.py.

    .venv/bin/python benchmarks/remote_engines.py [--digests 100] [--seconds 10] [--clients 4]
                                                  [--out benchmarks/results/remote_engines.json]

A synthetic corpus of --digests digests (`voxgraph generate`, seed 0) is loaded with
`voxgraph load --store-url` into `oxigraph serve --union-default-graph` and into
Virtuoso 7.2 (`virtuoso-t`, the stock settings of tests/conftest.py), both new, on
127.0.0.1, and into the embedded store for reference. Then `voxgraph serve --store-url`
(and `voxgraph serve --store` for the embedded one) answers the point mix (one actor's
statements, cycling over actors, --clients threads) and the analytic mix (events by
month and type over the whole store, 2 threads) for --seconds each, and a whole dump
(/dump.nq). Prints a table; writes JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queries import ACTORS, ANALYTIC, POINT, free_port, wait_until_up  # noqa: E402
from tests.conftest import OxigraphServer, VirtuosoServer  # noqa: E402

BIN = Path(sys.executable).parent
JSON_RESULTS = "application/sparql-results+json"


def hammer(url: str, queries: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        n = offset
        while time.monotonic() < stop:
            started = time.perf_counter()
            answer = requests.post(
                url,
                data={"query": queries[n % len(queries)]},
                headers={"Accept": JSON_RESULTS},
                timeout=120,
            )
            took = time.perf_counter() - started
            with lock:
                if answer.status_code == 200:
                    latencies.append(took)
                else:
                    errors[0] += 1
            n += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "queries_per_s": round(len(latencies) / seconds, 1),
        "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "errors": errors[0],
    }


def serve(store_args: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "voxgraph"), "serve", *store_args, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    wait_until_up(url, process)
    return process, url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--digests", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--engines", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/remote_engines.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vox-engines-"))
    corpus = work / "corpus"
    subprocess.run(
        [str(BIN / "voxgraph"), "generate", str(args.digests), str(corpus)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results: dict = {
        "digests": args.digests,
        "machine": f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores",
        "engines": {},
    }
    for engine in args.engines.split(","):
        server = None
        if engine == "oxigraph":
            server = OxigraphServer(work / "oxigraph")
            store_args = ["--store-url", server.url]
        elif engine == "virtuoso":
            server = VirtuosoServer(work / "virtuoso")
            store_args = ["--store-url", server.url]
        else:
            store_args = ["--store", str(work / "embedded")]
        started = time.perf_counter()
        loaded = subprocess.run(
            [str(BIN / "voxgraph"), "load", str(corpus), *store_args, "--jobs", "2"],
            capture_output=True,
            text=True,
        )
        load_s = time.perf_counter() - started
        process, url = serve(store_args)
        try:
            actors = [
                row["actor"]["value"]
                for row in requests.post(
                    url, data={"query": ACTORS}, headers={"Accept": JSON_RESULTS}, timeout=60
                ).json()["results"]["bindings"]
            ]
            point = hammer(url, [POINT.format(actor=a) for a in actors], args.clients, args.seconds)
            analytic = hammer(url, [ANALYTIC], 2, args.seconds)
            started = time.perf_counter()
            dump = requests.get(url.removesuffix("/sparql") + "/dump.nq", timeout=600)
            dump_s = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait()
            if server is not None:
                server.stop()
        results["engines"][engine] = {
            "load_s": round(load_s, 1),
            "load_exit": loaded.returncode,
            "load_summary": (loaded.stdout + loaded.stderr).strip().splitlines()[-1:],
            "duration_warnings": loaded.stderr.count("literal(s)"),
            "point": point,
            "analytic": analytic,
            "dump_s": round(dump_s, 2),
            "dump_status": dump.status_code,
            "dump_quads": len(dump.content.splitlines()),
        }
        print(engine, json.dumps(results["engines"][engine]), flush=True)
    if args.out.exists():  # keep the engines not run this time
        earlier = json.loads(args.out.read_text())
        results["engines"] = {**earlier.get("engines", {}), **results["engines"]}
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
