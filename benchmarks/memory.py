"""Hungry queries: `voxgraph serve --max-memory` against `oxigraph serve`, side by side.

    .venv/bin/python benchmarks/memory.py [--store DIR] [--max-memory 512M] [--stop-at 4G]
                                          [--timeout 30] [--out benchmarks/results/memory.json]

One store (the five bundled digests, loaded into a temporary folder unless --store
names a loaded store) is served by (a) `voxgraph serve --max-memory M` and (b)
`oxigraph serve-read-only --union-default-graph --timeout-s T` over a copy of the same
snapshot, both on 127.0.0.1, both with the same time limit. Each hungry query runs
against a freshly started server, while a second client asks a quick COUNT again and
again. The resident memory of the server and all its descendants is sampled every
20 ms; past --stop-at the server is killed (SIGKILL to its process group) and the
query noted "exceeded N GiB, stopped", so that the machine survives: nothing else
bounds oxigraph serve (it runs under RLIMIT_AS = 3 x --stop-at besides, in case the
sampler falls behind: address space, of which a process maps more than it uses).
voxgraph serve cannot run under an address-space limit: its 32 HTTP threads reserve
256 MiB of stack each.

For each server and query: the status and how long the answer took, the peak
resident memory, the second client's answers (ok / failed) while the query ran, and
whether the server still answered afterwards. Prints a table; writes JSON to --out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voxgraph.loader.store.oxigraph import latest_snapshot  # noqa: E402
from voxgraph.server.memory import GIB, MIB, format_size, parse_size  # noqa: E402

BIN = Path(sys.executable).parent
QUERIES = {
    "sorted product (the issue's)": (
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g LIMIT 1"
    ),
    "unbounded GROUP_CONCAT": (
        "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?o }"
    ),
    "DISTINCT over a product, counted": (
        "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT * { ?a ?b ?c . ?d ?e ?f } }"
    ),
}
QUICK = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
OURS, PEER = "voxgraph serve", "oxigraph serve"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def family(pid: int) -> list[int]:
    """`pid` and its descendants (a child belongs to the thread that started it)."""
    children: list[str] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += (task / "children").read_text().split()
    return [pid] + [p for child in children for p in family(int(child))]


def resident(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError):
        return 0


class Sampler:
    """Peak resident memory of a process tree every 20 ms; kills the tree past `stop_at`."""

    def __init__(self, pid: int, stop_at: int) -> None:
        self.pid, self.stop_at = pid, stop_at
        self.peak = 0
        self.stopped_after: float | None = None
        self.started = time.monotonic()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(0.02):
            total = sum(resident(pid) for pid in family(self.pid))
            self.peak = max(self.peak, total)
            if total > self.stop_at and self.stopped_after is None:
                self.stopped_after = time.monotonic() - self.started
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)

    def finish(self) -> None:
        self.done.set()
        self.thread.join()


class OtherClient:
    """A second user asking QUICK again and again."""

    def __init__(self, url: str) -> None:
        self.ok = self.failed = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(url,), daemon=True)
        self.thread.start()

    def _run(self, url: str) -> None:
        while not self.stop.is_set():
            try:
                response = requests.get(url, params={"query": QUICK}, timeout=30)
                ok = response.status_code == 200
            except requests.RequestException:
                ok = False
                time.sleep(0.05)
            self.ok, self.failed = self.ok + ok, self.failed + (not ok)

    def finish(self) -> tuple[int, int]:
        self.stop.set()
        self.thread.join(timeout=60)
        return self.ok, self.failed


def start(name: str, store: Path, copy: Path, args: argparse.Namespace) -> tuple:
    port = free_port()
    if name == OURS:
        command = [str(BIN / "voxgraph"), "serve", "--store", str(store), "--port", str(port)]
        command += ["--max-memory", args.max_memory, "--timeout", str(args.timeout)]
        url, limit = f"http://127.0.0.1:{port}/sparql", None
    else:
        command = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(copy)]
        command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        command += ["--timeout-s", str(int(args.timeout))]
        url, limit = f"http://127.0.0.1:{port}/query", 3 * args.stop_at

    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    process = subprocess.Popen(
        command,
        start_new_session=True,
        preexec_fn=limited,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{name} did not start")
        time.sleep(0.2)


def measure(name: str, query: str, store: Path, copy: Path, args: argparse.Namespace) -> dict:
    process, url = start(name, store, copy, args)
    try:
        other = OtherClient(url)
        time.sleep(0.5)
        sampler = Sampler(process.pid, args.stop_at)
        started = time.monotonic()
        try:
            response = requests.get(url, params={"query": query}, timeout=args.timeout + 60)
            status, text = response.status_code, response.text.strip()
        except requests.RequestException as error:
            status, text = None, type(error).__name__
        seconds = time.monotonic() - started
        sampler.finish()
        ok, failed = other.finish()
        try:
            up = requests.get(url, params={"query": QUICK}, timeout=30).status_code == 200
        except requests.RequestException:
            up = False
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    if sampler.stopped_after is not None:
        after = sampler.stopped_after
        outcome = f"exceeded {format_size(args.stop_at)} after {after:.1f} s, stopped"
    elif status == 200 and not whole_json(text):  # oxigraph's time-out, after the headers
        outcome = f"200, the body breaks off: ...{text[-45:]!r}"
    else:
        outcome = f"{status}" + (f": {text[:60]}..." if status != 200 else "")
    return {
        "server": name,
        "query": query,
        "status": status,
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(sampler.peak / MIB),
        "stopped_after_s": sampler.stopped_after and round(sampler.stopped_after, 2),
        "outcome": outcome,
        "body_start": text[:120],
        "other_client_ok": ok,
        "other_client_failed": failed,
        "up_afterwards": up,
    }


def whole_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def prepare_store(store: Path | None, work: Path) -> Path:
    if store is not None:
        return store
    target = work / "store"
    command = [str(BIN / "voxgraph"), "load", str(ROOT / "corpus"), "--store", str(target)]
    print("$", " ".join(command), flush=True)
    subprocess.run([*command, "--no-progress"], check=True, stdout=subprocess.DEVNULL)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="a loaded store")
    parser.add_argument("--max-memory", default="512M", help="voxgraph serve --max-memory")
    parser.add_argument(
        "--stop-at", type=parse_size, default=4 * GIB, help="kill a server past this RSS"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="both servers' time limit")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/memory.json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="voxmemory-"))
    try:
        store = prepare_store(args.store, work)
        copy = work / "oxigraph-store"
        shutil.copytree(latest_snapshot(store) or store, copy)
        quads = sum(1 for _ in ox.Store.read_only(str(copy)))
        rows = []
        for label, query in QUERIES.items():
            for name in (OURS, PEER):
                print(f"{name}: {label} ...", flush=True)
                rows.append({"label": label, **measure(name, query, store, copy, args)})
    finally:
        shutil.rmtree(work, ignore_errors=True)

    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / GIB, 1),
            "python": platform.python_version(),
            "pyoxigraph": ox.__version__,
            "load_average": os.getloadavg(),
        },
        "quads": quads,
        "max_memory": args.max_memory,
        "stop_at_mib": args.stop_at // MIB,
        "timeout_s": args.timeout,
        "runs": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n{quads:,} quads; voxgraph serve --max-memory {args.max_memory}; oxigraph serve")
    print(f"stopped past {format_size(args.stop_at)}; time limit {args.timeout:g} s for both\n")
    print("| query | server | answer | after | peak RSS | other client ok / failed | up after |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['label']} | {row['server']} | {row['outcome']} | {row['seconds']:.1f} s "
            f"| {row['peak_rss_mib']:,} MiB | {row['other_client_ok']:,} / "
            f"{row['other_client_failed']:,} | {'yes' if row['up_afterwards'] else 'no'} |"
        )
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
