"""Memory of the dumps: serve a synthetic corpus, download every dump, report how far the
server's resident memory rises during each download, next to the size of the store.

    .venv/bin/python benchmarks/dump_memory.py [--digests 300] [--workdir /tmp/voxgraph-dumps]
                                               [--store DIR] [--checkout DIR] [--rounds 2]

Without --store, `voxgraph generate N` and `voxgraph load` build one in WORKDIR (reused
when it is there). The server is `voxgraph serve` from this checkout, or from --checkout
(another checkout, e.g. `git worktree add /tmp/old HEAD~1`, to compare). Dumps are served
by the server's main process, so that process is measured: before each download its
VmRSS, then its peak (VmHWM, reset through /proc/PID/clear_refs) while the body streams;
the growth is peak - before. Round 1 includes RocksDB filling its block cache; later
rounds show what a download costs on a warm server. Prints a table; writes JSON to
benchmarks/results/dump_memory.json (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
VOXGRAPH = [sys.executable, "-c", "from voxgraph.cli import main; main()"]
DUMPS = ["nq", "nq.gz", "trig", "trig.gz", "nt", "nt.gz", "ttl", "ttl.gz"]
MIB = 1024 * 1024


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux >= 4.0)


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_store(workdir: Path, digests: int) -> Path:
    corpus, store = workdir / "corpus", workdir / "store"
    if not (store / "CURRENT").exists():
        subprocess.run([*VOXGRAPH, "generate", str(digests), str(corpus)], check=True, cwd=ROOT)
        load = [*VOXGRAPH, "load", str(corpus), "--store", str(store), "--no-progress"]
        subprocess.run(load, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return store


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            requests.get(url + "/.well-known/void", timeout=5)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def count(url: str, query: str) -> int:
    answer = requests.get(url + "/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    return int(answer.text.split()[1])


def download(url: str, pid: int) -> dict:
    before = status_kib(pid, "VmRSS")
    reset_peak(pid)
    started = time.perf_counter()
    size = 0
    with requests.get(url, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
        tag = response.headers.get("ETag")
    seconds = time.perf_counter() - started
    peak = status_kib(pid, "VmHWM")
    started = time.perf_counter()
    again = requests.get(url, headers={"If-None-Match": tag}, timeout=60)
    not_modified = time.perf_counter() - started
    assert again.status_code == 304, again.status_code
    return {
        "bytes": size,
        "seconds": round(seconds, 3),
        "rss_before_mib": round(before / 1024, 1),
        "growth_mib": round((peak - before) / 1024, 1),
        "not_modified_ms": round(not_modified * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=300)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/voxgraph-dumps"))
    parser.add_argument("--store", type=Path, help="serve this store (default: build one)")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="serve this checkout's code")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/dump_memory.json")
    args = parser.parse_args()

    store = args.store or build_store(args.workdir, args.digests)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(args.checkout.resolve())}
    command = [*VOXGRAPH, "serve", "--store", str(store), "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, cwd=args.checkout, env=env, stdout=subprocess.DEVNULL)
    try:
        wait_until_up(url, server)
        quads = count(url, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
        graphs = count(url, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
        first = requests.get(
            url + "/sparql",
            params={"query": "SELECT ?g { GRAPH ?g {} } ORDER BY ?g LIMIT 1"},
            headers={"Accept": "text/csv"},
        ).text.split()[1]
        paths = [f"/dump.{ext}" for ext in DUMPS]
        paths.append(first.removeprefix("https://w3id.org/voxgraph") + ".trig")
        start_rss = status_kib(server.pid, "VmRSS") / 1024
        rows: dict[str, list[dict]] = {path: [] for path in paths}
        for _ in range(args.rounds):
            for path in paths:
                rows[path].append(download(url + path, server.pid))
        end_rss = status_kib(server.pid, "VmRSS") / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)

    store_bytes = folder_bytes(store)
    print(f"store {store}: {quads:,} quads in {graphs} graphs, {store_bytes / MIB:.0f} MiB on disk")
    print(f"server RSS {start_rss:.0f} MiB at start, {end_rss:.0f} MiB at the end")
    growth_heads = " | ".join(f"growth r{n + 1}" for n in range(args.rounds))
    print(f"| download | size | seconds (r1) | {growth_heads} | 304 |")
    print("|---|---|---|" + "---|" * args.rounds + "---|")
    for path, runs in rows.items():
        growths = " | ".join(f"{run['growth_mib']:.1f} MiB" for run in runs)
        print(
            f"| {path} | {runs[0]['bytes'] / MIB:.1f} MiB | {runs[0]['seconds']:.2f} | "
            f"{growths} | {runs[-1]['not_modified_ms']:.0f} ms |"
        )
    result = {
        "store": str(store),
        "checkout": str(args.checkout.resolve()),
        "quads": quads,
        "graphs": graphs,
        "store_mib": round(store_bytes / MIB, 1),
        "rss_start_mib": round(start_rss, 1),
        "rss_end_mib": round(end_rss, 1),
        "downloads": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
