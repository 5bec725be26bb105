"""Page benchmark: every page and API of `voxgraph serve`, at 100 and at 1,000 digests.

    .venv/bin/python benchmarks/pages.py                       # N = 100 and 1,000
    .venv/bin/python benchmarks/pages.py --sizes 100,1000 --rounds 31 --out FILE.json

For each N a synthetic corpus (`voxgraph generate N var/bench/corpusN`) is loaded
once with `voxgraph load --jobs 2` into var/bench/storeN; both are kept and reused
(loading 1,000 digests takes minutes). A kept store loaded by a version without
statistics gets them counted once (`GraphStore.recount_statistics`, then a new
snapshot). Every store is served at the same time by `voxgraph serve` with its
defaults, each on a free port of 127.0.0.1, and one client asks for each page in
turn: one uncounted warm-up round, then --rounds (31) rounds, each asking every page
of every server once, the servers in the reverse order every other round, so
that the drift in speed of this shared virtual machine falls on all sizes alike.
The warm-up round's times are kept too (first_request_ms): what a page computes
once per version of the data (the reconciliation index, the service description)
shows there.

The pages name the same resources at every size (the corpora share their first
digests: the bigger one extends the smaller), and the busiest actors, whose pages
grow with the corpus: Azerbaijan (named in every digest, the actor of most events)
and the Ministry of Defense (the most statements).

Prints a table of each page's median time per size and the ratio of the largest
size to the smallest, and writes benchmarks/results/pages.json. Targets: each page
within TARGET_SECONDS at the largest size and at most TARGET_RATIO times its
time at the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.processes import stop  # noqa: E402
from voxgraph.loader.store.oxigraph import GraphStore, latest_snapshot  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results" / "pages.json"
TARGET_SECONDS = 1.0
TARGET_RATIO = 3.0
ID = "https://w3id.org/voxgraph/id/"
DIGEST = "digest/2030-01-05"  # in every synthetic corpus (they start on 2030-01-01)
LATER = "2030-02-15"  # `after=` this day: a page inside every corpus's timeline, not its first
BUSIEST = "actor/azerbaijan"
MOST_QUOTED = "actor/ministry-of-defense"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # Chromium's Accept
ARRESTS_BY_MONTH = urlencode(  # the predeclared prefixes, plain values in the table
    {
        "query": "SELECT ?month (COUNT(*) AS ?arrests) { ?e a vox:Arrest ; "
        "vox:reportedIn/dcterms:date ?d BIND(SUBSTR(STR(?d), 1, 7) AS ?month) } GROUP BY ?month"
    }
)
RECONCILE_BATCH = {
    f"q{i}": {"query": name, "limit": 3}
    for i, name in enumerate(
        [
            "Azerbaijan",
            "Ilham Aliyev",
            "Ministry of Defence",
            "Armenia",
            "European Court of Human Rights",
            "Karabakh",
            "State Security Service",
            "Baku",
            "Nikol Pashinyan",
            "Zxqv Wwrt",
        ]
    )
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None  # POST this form instead of GET
    status: int = 200


def pages(statement: str, event: str) -> list[Page]:
    """The pages measured; `statement` and `event` are IRIs below ID of the digest DIGEST."""
    return [
        Page("query page", "/"),
        Page("query page, a query's table", "/?" + ARRESTS_BY_MONTH),
        Page("service description", "/sparql", {"Accept": "text/turtle"}),
        Page("service description (HTML)", "/sparql", {"Accept": BROWSER}),
        Page("ontology (HTML)", "/ontology", {"Accept": "text/html"}),
        Page("ontology (Turtle)", "/ontology.ttl"),
        Page("shapes (HTML)", "/shapes", {"Accept": "text/html"}),
        Page("VoID", "/.well-known/void", {"Accept": "text/turtle"}),
        Page("VoID (HTML)", "/.well-known/void", {"Accept": BROWSER}),
        Page("timeline, first page", "/timeline"),
        Page("timeline, from a date", "/timeline?from=2030-03-01"),
        Page("timeline, last page", "/timeline?before=9999-12-31"),
        Page("timeline, one type", "/timeline?type=Arrest"),
        Page("timeline, one actor", f"/timeline?actor={ID}{BUSIEST}"),
        Page("timeline, a later page", f"/timeline?after={LATER}"),
        Page("timeline, one type, a later page", f"/timeline?type=Arrest&after={LATER}"),
        Page("timeline, one actor, a later page", f"/timeline?actor={ID}{BUSIEST}&after={LATER}"),
        Page("timeline chart as CSV", "/timeline.csv"),
        Page("timeline chart as CSV, one type", "/timeline.csv?type=Arrest"),
        Page("timeline chart as CSV, one actor", f"/timeline.csv?actor={ID}{BUSIEST}"),
        Page("search, a full name", "/search?q=Ilham+Aliyev"),
        Page("search, the busiest actor", "/search?q=Azerbaijan"),
        Page("search, a surname", "/search?q=Aliyev"),
        Page("search, no match", "/search?q=Zxqv+Wwrt"),
        Page("reconcile manifest", "/reconcile"),
        Page(
            "reconcile, 10 queries",
            "/reconcile",
            form={"queries": json.dumps(RECONCILE_BATCH)},
        ),
        Page("IRI (303)", f"/id/{BUSIEST}", {"Accept": "text/html"}, status=303),
        Page("actor page, busiest", f"/page/{BUSIEST}"),
        Page("actor page, most quoted", f"/page/{MOST_QUOTED}"),
        Page("actor page, 2nd page of events", f"/page/{BUSIEST}?events=2"),
        Page("actor data (Turtle)", f"/data/{BUSIEST}.ttl"),
        Page("digest page", f"/page/{DIGEST}"),
        Page("digest data (Turtle)", f"/data/{DIGEST}.ttl"),
        Page("statement page", f"/page/{statement}"),
        Page("event page", f"/page/{event}"),
        Page("one digest's graph (TriG)", f"/graph/{DIGEST}.trig"),
        Page("whole dump, unchanged (304)", "/dump.nq", {"If-None-Match": "*"}, status=304),
    ]


def sample_items(store: Path) -> tuple[str, str]:
    """A statement and an event of DIGEST (the first of each by IRI): the mapping decides
    which offsets they have, and every corpus holds DIGEST alike."""
    import pyoxigraph as ox

    snapshot = ox.Store.read_only(str(latest_snapshot(store) or store))
    found = []
    for kind in ("Statement", "Event"):
        query = (
            f"SELECT ?x WHERE {{ ?x a <https://w3id.org/voxgraph/ontology#{kind}> ; "
            f"<https://w3id.org/voxgraph/ontology#reportedIn> <{ID}{DIGEST}> }} ORDER BY ?x LIMIT 1"
        )
        (row,) = list(snapshot.query(query, use_default_graph_as_union=True))
        found.append(row["x"].value.removeprefix(ID))
    return found[0], found[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command: list[str]) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def prepare_store(digests: int, jobs: int) -> Path:
    """var/bench/storeN, loaded once from var/bench/corpusN and kept."""
    target = ROOT / "var" / "bench" / f"store{digests}"
    if latest_snapshot(target) is None:
        corpus = ROOT / "var" / "bench" / f"corpus{digests}"
        if not corpus.exists():
            run([str(BIN / "voxgraph"), "generate", str(digests), str(corpus)])
        command = [str(BIN / "voxgraph"), "load", str(corpus), "--store", str(target)]
        run(command + ["--jobs", str(jobs), "--no-progress"])
    store = GraphStore(target)
    if store.statistics() is None:  # kept from a version without them
        print(f"counting the statistics of {target} once", flush=True)
        store.recount_statistics()
        store.publish_snapshot()
    del store
    return target


class Served:
    """`voxgraph serve` over one store on a free port."""

    def __init__(self, digests: int, store: Path):
        self.digests = digests
        self.url = f"http://127.0.0.1:{free_port()}"
        port = self.url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [str(BIN / "voxgraph"), "serve", "--store", str(store), "--port", port],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"voxgraph serve exited with {self.process.returncode}")
            try:
                if requests.get(self.url + "/sparql", params={"query": "ASK {}"}, timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.url} did not come up")

    def stop(self) -> None:
        stop(self.process)


def fetch(session: requests.Session, base: str, page: Page) -> tuple[float, int, int]:
    """Seconds until the whole answer is read, its status and its size in bytes."""
    started = time.perf_counter()
    if page.form is None:
        response = session.get(
            base + page.path, headers=page.headers, allow_redirects=False, timeout=600
        )
    else:
        response = session.post(base + page.path, data=page.form, timeout=600)
    elapsed = time.perf_counter() - started
    return elapsed, response.status_code, len(response.content)


def measure(
    servers: list[Served], rounds: int, measured: list[Page]
) -> dict[str, dict[int, dict[str, Any]]]:
    times: dict[str, dict[int, list[float]]] = {
        p.name: {s.digests: [] for s in servers} for p in measured
    }
    first: dict[str, dict[int, float]] = {p.name: {} for p in measured}  # the warm-up round
    sizes: dict[str, dict[int, int]] = {p.name: {} for p in measured}
    failures: dict[str, dict[int, str]] = {p.name: {} for p in measured}
    session = requests.Session()
    for turn in range(rounds + 1):  # round 0 warms up and is not counted
        order = servers if turn % 2 == 0 else servers[::-1]
        for page in measured:
            for server in order:
                seconds, status, length = fetch(session, server.url, page)
                if status != page.status:
                    failures[page.name][server.digests] = f"HTTP {status}"
                if turn:
                    times[page.name][server.digests].append(seconds)
                    sizes[page.name][server.digests] = length
                else:
                    first[page.name][server.digests] = seconds
        print(f"round {turn} done" if turn else "warm-up done", flush=True)
    return {
        page.name: {
            digests: {
                "median_ms": round(statistics.median(found) * 1000, 1),
                "min_ms": round(min(found) * 1000, 1),
                "max_ms": round(max(found) * 1000, 1),
                "first_request_ms": round(first[page.name][digests] * 1000, 1),
                "bytes": sizes[page.name][digests],
                **(
                    {"failed": failures[page.name][digests]}
                    if digests in failures[page.name]
                    else {}
                ),
            }
            for digests, found in by_size.items()
        }
        for page in measured
        for by_size in [times[page.name]]
    }


def table(
    results: dict[str, dict[int, dict[str, Any]]], sizes: list[int], measured: list[Page]
) -> list[str]:
    small, large = min(sizes), max(sizes)
    head = " | ".join(f"{n:,} digests" for n in sizes)
    lines = [
        f"| page | path | {head} | ratio {large:,} ÷ {small:,} | targets met |",
        "|---|---|" + "---|" * len(sizes) + "---|---|",
    ]
    for page in measured:
        row = results[page.name]
        ratio = row[large]["median_ms"] / row[small]["median_ms"]
        met = row[large]["median_ms"] <= TARGET_SECONDS * 1000 and ratio <= TARGET_RATIO
        failed = any("failed" in row[n] for n in sizes)
        cells = " | ".join(_ms(row[n]["median_ms"]) for n in sizes)
        verdict = (
            "FAILED: " + row[large].get("failed", row[small].get("failed", ""))
            if failed
            else ("yes" if met else "**no**")
        )
        lines.append(f"| {page.name} | `{page.path[:60]}` | {cells} | {ratio:.2f} | {verdict} |")
    return lines


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="corpus sizes, in digests")
    parser.add_argument("--rounds", type=int, default=31, help="counted rounds")
    parser.add_argument("--jobs", type=int, default=2, help="voxgraph load --jobs")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    sizes = sorted(int(n) for n in args.sizes.split(","))

    stores = {n: prepare_store(n, args.jobs) for n in sizes}
    measured = pages(*sample_items(stores[min(sizes)]))
    servers: list[Served] = []
    try:
        for n in sizes:
            servers.append(Served(n, stores[n]))
        load_before = os.getloadavg()
        results = measure(servers, args.rounds, measured)
        load_after = os.getloadavg()
    finally:
        for server in servers:
            server.stop()

    lines = table(results, sizes, measured)
    report = {
        "sizes": sizes,
        "rounds": args.rounds,
        "targets": {"seconds_at_largest": TARGET_SECONDS, "ratio": TARGET_RATIO},
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_before_after": [load_before, load_after],
        },
        "pages": {
            p.name: {"path": p.path, **{str(n): results[p.name][n] for n in sizes}}
            for p in measured
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nmedians of {args.rounds} rounds, one client, `voxgraph serve` defaults\n")
    print("\n".join(lines))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
