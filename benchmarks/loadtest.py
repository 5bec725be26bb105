"""Load test: CLIENTS threads on 127.0.0.1 run a mix of example queries against
`voxgraph serve` for SECONDS; prints a table and writes JSON.

    .venv/bin/python benchmarks/loadtest.py [--clients 16] [--seconds 20] [--store DIR]
                                            [--out var/loadtest.json]

Without --store the bundled corpus is loaded into a temporary store first. Memory is
the resident set (VmRSS) of the server process and its query workers, at the start
(after one warm-up query per example) and at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = (
    "PREFIX vox: <https://w3id.org/voxgraph/ontology#>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
    "PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>\n"
)
QUERIES = {
    "dates": "SELECT ?d ?date { ?d a vox:Digest ; dcterms:date ?date } ORDER BY ?date",
    "karimli quotes": """SELECT ?date ?medium ?quote WHERE {
  ?statement vox:speaker ?speaker ; vox:reportedIn/dcterms:date ?date ; vox:quote ?q .
  ?speaker rdfs:label "Ali Karimli"@en .
  OPTIONAL { ?statement vox:medium/skos:prefLabel ?medium }
  BIND(CONCAT(SUBSTR(?q, 1, 50), "…") AS ?quote) } ORDER BY ?date""",
    "arrests": """SELECT ?reported ?name ?event ?date ?duration WHERE {
  VALUES ?class { vox:Arrest vox:Sentencing }
  ?e a ?class ; vox:affected ?person ; vox:reportedIn/dcterms:date ?reported .
  ?person a vox:Person ; rdfs:label ?name .
  BIND(STRAFTER(STR(?class), "#") AS ?event)
  OPTIONAL { ?e vox:date ?date } OPTIONAL { ?e vox:duration ?duration }
} ORDER BY ?reported ?name ?event""",
    "actors by digests": """SELECT ?actor (SAMPLE(?label) AS ?name) (COUNT(DISTINCT ?d) AS ?n) {
  ?actor vox:mentionedIn ?d . OPTIONAL { ?actor rdfs:label ?label }
} GROUP BY ?actor ORDER BY DESC(?n) LIMIT 50""",
    "events by type": """SELECT ?type (COUNT(?e) AS ?n) {
  ?e a vox:Event , ?type . FILTER(?type != vox:Event) } GROUP BY ?type ORDER BY DESC(?n)""",
    "graph sizes": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "describe": "DESCRIBE <https://w3id.org/voxgraph/id/actor/ali-karimli>",
}


def rss_kib(pid: int) -> int:
    """VmRSS of `pid` and all its descendants, in KiB."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += rss_kib(int(child))
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "loadtest.json")
    args = parser.parse_args()
    voxgraph = str(Path(sys.executable).with_name("voxgraph"))
    with tempfile.TemporaryDirectory() as scratch:
        store = args.store or Path(scratch) / "store"
        if args.store is None:
            subprocess.run(
                [voxgraph, "load", str(ROOT / "corpus"), "--store", str(store), "--no-progress"],
                check=True,
                capture_output=True,
            )
        server = subprocess.Popen(
            [voxgraph, "serve", "--store", str(store), "--port", str(args.port)],
            stdout=subprocess.DEVNULL,
        )
        try:
            results = run(args, server.pid)
        finally:
            server.terminate()
            server.wait()
    report(results, args)


def run(args: argparse.Namespace, pid: int) -> dict:
    url = f"http://127.0.0.1:{args.port}/sparql"
    for _ in range(100):
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=5)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    for query in QUERIES.values():  # warm up every worker's caches a little
        requests.get(url, params={"query": PREFIXES + query}, timeout=60).raise_for_status()
    rss_start = rss_kib(pid)
    latencies: dict[str, list[float]] = {name: [] for name in QUERIES}
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds
    names = list(QUERIES)

    def client(offset: int) -> None:
        session = requests.Session()
        k = offset
        while time.monotonic() < stop:
            name = names[k % len(names)]
            k += 1
            began = time.perf_counter()
            try:
                status = session.get(url, params={"query": PREFIXES + QUERIES[name]}).status_code
            except requests.RequestException:
                status = 0
            elapsed = time.perf_counter() - began
            with lock:
                statuses[status] += 1
                if status == 200:
                    latencies[name].append(elapsed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "clients": args.clients,
        "seconds": args.seconds,
        "statuses": {str(k): v for k, v in statuses.items()},
        "errors": sum(v for k, v in statuses.items() if k != 200),
        "rss_kib_start": rss_start,
        "rss_kib_end": rss_kib(pid),
        "latency_ms": {name: _summary(values) for name, values in latencies.items()},
        "all_ms": _summary([v for values in latencies.values() for v in values]),
    }


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"requests": 0}
    return {
        "requests": len(values),
        "median": round(statistics.median(values) * 1000, 1),
        "p99": round(percentile(values, 0.99) * 1000, 1),
    }


def report(results: dict, args: argparse.Namespace) -> None:
    print(f"{results['clients']} clients, {results['seconds']:g} s, statuses {results['statuses']}")
    print(f"{'query':<20} {'requests':>9} {'median ms':>10} {'p99 ms':>8}")
    for name, row in [*results["latency_ms"].items(), ("all", results["all_ms"])]:
        print(f"{name:<20} {row['requests']:>9} {row.get('median', 0):>10} {row.get('p99', 0):>8}")
    start, end = results["rss_kib_start"] / 1024, results["rss_kib_end"] / 1024
    print(f"errors: {results['errors']}; RSS server+workers: {start:.0f} MiB -> {end:.0f} MiB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
