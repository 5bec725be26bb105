"""Query benchmark: `voxgraph serve` against `oxigraph serve` and rdflib-endpoint, side by side.

    .venv/bin/python benchmarks/queries.py [--digests 1000] [--store DIR] [--clients 8]
                                           [--analytic-clients 4] [--analytic-seconds 60]
                                           [--dump-clients 2] [--mixes point,analytic,dump]
                                           [--seconds 15] [--rounds 3] [--rdflib-digests 50]
                                           [--no-tuned-peer] [--no-remote] [--no-rdflib]
                                           [--workers N] [--out benchmarks/results/queries.json]

One store (a synthetic corpus of --digests digests from `voxgraph generate`, loaded
with `voxgraph load` into var/bench/storeN unless --store names a loaded store) is
served by (a) `voxgraph serve` with its defaults, (b) `oxigraph serve-read-only
--union-default-graph` over a copy of the same snapshot, and (c) rdflib-endpoint
over an rdflib Dataset (default graph: the union) parsed from an N-Quads dump of the
ontology, the registry and the first --rdflib-digests digests only: parsing the
whole store into rdflib takes minutes and gigabytes, and its answers take seconds.
Unless --no-tuned-peer, (d) a second `oxigraph serve` runs with the malloc setting
`voxgraph serve` gives its query worker (server/workers.py), to show how much of the
ratio that setting is. Unless --no-remote, (e) `voxgraph serve --store-url` forwards
to (b). All listen on 127.0.0.1. For each mix, --clients threads (--analytic-clients
for the analytic mix, whose queries take seconds; --dump-clients for the dump) send
the same queries to one server at a time, in the same run, for --seconds per server
(--analytic-seconds for the analytic mix) split into --rounds rounds: the servers
take turns within a round, in the reverse order every other round, so that a drift
in the machine's speed (a shared virtual machine's) falls on all of them alike.
Dumps run one round.

- point: one actor's statements (the data of an actor's page), cycling over actors;
- analytic: events counted by month and by type over the whole store;
- dump: the whole store as N-Quads (/dump.nq; oxigraph: GET /store), no warm-up.

Prints a table and writes JSON with throughput, median and p99 latency, and our
throughput as a ratio of oxigraph serve's (over all rounds, and per round).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
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

from benchmarks import processes  # noqa: E402
from voxgraph.loader.store.oxigraph import latest_snapshot  # noqa: E402
from voxgraph.server.workers import WORKER_MALLOC_TUNABLES  # noqa: E402

BIN = Path(sys.executable).parent
VOX = "https://w3id.org/voxgraph/ontology#"
PREFIXES = (
    f"PREFIX vox: <{VOX}>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
POINT = (
    PREFIXES
    + """SELECT ?statement ?date ?quote ?paraphrase WHERE {{
  ?statement vox:speaker <{actor}> ; vox:reportedIn/dcterms:date ?date .
  OPTIONAL {{ ?statement vox:quote ?quote }} OPTIONAL {{ ?statement vox:paraphrase ?paraphrase }}
}} ORDER BY DESC(?date)"""
)
ANALYTIC = (
    PREFIXES
    + """SELECT ?month ?type (COUNT(DISTINCT ?e) AS ?events) WHERE {
  ?e a vox:Event , ?type ; vox:reportedIn/dcterms:date ?date .
  FILTER(?type != vox:Event)
  BIND(SUBSTR(STR(?date), 1, 7) AS ?month)
} GROUP BY ?month ?type ORDER BY ?month ?type"""
)
ACTORS = (
    PREFIXES
    + """SELECT ?actor (COUNT(?s) AS ?n) WHERE { ?s vox:speaker ?actor }
GROUP BY ?actor ORDER BY DESC(?n) ?actor LIMIT 200"""
)
JSON_RESULTS = "application/sparql-results+json"
OURS, PEER = "voxgraph serve", "oxigraph serve"
TUNED_PEER = "oxigraph serve, malloc tuned as our worker"
REMOTE = "voxgraph serve --store-url (to oxigraph serve)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 600) -> None:
    """Until the SPARQL endpoint at `url` answers ASK {} with 200."""

    def answers() -> bool:
        return requests.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200

    processes.wait_until_up(process, answers, url, seconds)


def prepare_store(digests: int, store: Path | None) -> Path:
    if store is not None:
        return store
    target = ROOT / "var" / "bench" / f"store{digests}"
    if latest_snapshot(target) is None:
        corpus = ROOT / "var" / "bench" / f"corpus{digests}"
        if not corpus.exists():
            run([str(BIN / "voxgraph"), "generate", str(digests), str(corpus)])
        run([str(BIN / "voxgraph"), "load", str(corpus), "--store", str(target), "--no-progress"])
    return target


def run(command: list[str]) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def rdflib_subset(snapshot: Path, digests: int, out: Path) -> int:
    """N-Quads of the ontology, the registry and the first `digests` digest graphs."""
    store = ox.Store.read_only(str(snapshot))
    graphs = sorted(g.value for g in store.named_graphs())
    chosen = [g for g in graphs if "/graph/digest/" not in g]
    chosen += [g for g in graphs if "/graph/digest/" in g][:digests]
    quads = [q for g in chosen for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))]
    ox.serialize(quads, str(out), ox.RdfFormat.N_QUADS)
    return len(quads)


RDFLIB_SERVER = """
import sys, uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint
dataset = Dataset(default_union=True)
dataset.parse(sys.argv[1], format="nquads")
app = SparqlEndpoint(graph=dataset, path="/sparql")
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


class Server:
    def __init__(self, name: str, command: list[str], sparql: str, dump: str | None, **popen):
        self.name, self.sparql, self.dump = name, sparql, dump
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen
        )

    def stop(self) -> None:
        processes.stop(self.process)


class Tally:
    """Requests answered (their latencies), failures and wall time, summed over rounds."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.seconds = 0.0
        self.rounds: list[float] = []  # requests per second in each round

    def add(self, latencies: list[float], errors: int, seconds: float) -> None:
        self.latencies += latencies
        self.errors += errors
        self.seconds += seconds
        self.rounds.append(len(latencies) / seconds)

    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, float | int | list | None]:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else None
        return {
            "requests": len(ordered),
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "per_second": round(self.per_second(), 4),  # dumps: a few per minute
            "per_second_by_round": [round(rate, 4) for rate in self.rounds],
            "median_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
            "p99_ms": round(p99 * 1000, 1) if p99 is not None else None,
        }


def hammer(make_request, clients: int, seconds: float, tally: Tally | None = None) -> None:
    """`clients` threads send make_request(session, i) for `seconds`; added to `tally`.

    A request under way when the time is up is waited for and counted, and the
    wall time runs until the last one is answered.
    """
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        session = requests.Session()
        i = number
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                response = make_request(session, i)
                ok = response.status_code == 200 and len(response.content) > 0
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            if ok:
                mine.append(elapsed)
            else:
                failed += 1
            i += clients
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if tally is not None:
        tally.add(latencies, errors[0], time.monotonic() - started)


def sparql_get(url: str, query_for):
    def request(session: requests.Session, i: int) -> requests.Response:
        return session.get(
            url, params={"query": query_for(i)}, headers={"Accept": JSON_RESULTS}, timeout=120
        )

    return request


def dump_get(url: str):
    def request(session: requests.Session, i: int) -> requests.Response:
        return session.get(url, headers={"Accept": "application/n-quads"}, timeout=600)

    return request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=1000)
    parser.add_argument("--store", type=Path, default=None, help="an already loaded store")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--analytic-clients", type=int, default=4)
    parser.add_argument(
        "--analytic-seconds", type=float, default=60.0, help="its queries take seconds each"
    )
    parser.add_argument("--dump-clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15.0, help="per server, point mix")
    parser.add_argument(
        "--rounds", type=int, default=3, help="servers take turns in this many rounds per mix"
    )
    parser.add_argument(
        "--no-tuned-peer", action="store_true", help="skip oxigraph serve with our malloc setting"
    )
    parser.add_argument("--rdflib-digests", type=int, default=50)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--mixes", default="point,analytic,dump", help="which mixes to run")
    parser.add_argument("--no-remote", action="store_true", help="skip voxgraph serve --store-url")
    parser.add_argument("--workers", type=int, default=None, help="voxgraph serve --workers")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/queries.json")
    args = parser.parse_args()

    store = prepare_store(args.digests, args.store)
    snapshot = latest_snapshot(store) or store
    work = Path(tempfile.mkdtemp(prefix="voxbench-"))
    copy = work / "oxigraph-store"
    shutil.copytree(snapshot, copy)
    quads = sum(1 for _ in ox.Store.read_only(str(copy)))
    actors = [
        row["actor"].value
        for row in ox.Store.read_only(str(copy)).query(ACTORS, use_default_graph_as_union=True)
    ]
    servers: list[Server] = []
    try:
        port = free_port()
        servers.append(
            Server(
                OURS,
                [str(BIN / "voxgraph"), "serve", "--store", str(store), "--port", str(port)]
                + (["--workers", str(args.workers)] if args.workers else []),
                f"http://127.0.0.1:{port}/sparql",
                f"http://127.0.0.1:{port}/dump.nq",
            )
        )
        peers = [(PEER, None)]
        if not args.no_tuned_peer:
            peers.append((TUNED_PEER, {**os.environ, "GLIBC_TUNABLES": WORKER_MALLOC_TUNABLES}))
        for name, environment in peers:
            port = free_port()
            servers.append(
                Server(
                    name,
                    [
                        str(BIN / "oxigraph"),
                        "serve-read-only",
                        "--location",
                        str(copy),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--union-default-graph",
                    ],
                    f"http://127.0.0.1:{port}/query",
                    f"http://127.0.0.1:{port}/store",
                    env=environment,
                )
            )
        if not args.no_remote:
            remote, port = servers[1].sparql, free_port()
            servers.append(
                Server(
                    REMOTE,
                    [str(BIN / "voxgraph"), "serve", "--store-url", remote, "--port", str(port)],
                    f"http://127.0.0.1:{port}/sparql",
                    None,
                )
            )
        rdflib_quads = None
        if not args.no_rdflib:
            subset = work / "subset.nq"
            rdflib_quads = rdflib_subset(copy, args.rdflib_digests, subset)
            port = free_port()
            servers.append(
                Server(
                    f"rdflib-endpoint ({args.rdflib_digests} digests)",
                    [sys.executable, "-c", RDFLIB_SERVER, str(subset), str(port)],
                    f"http://127.0.0.1:{port}/sparql",
                    None,
                )
            )
        for server in servers:
            wait_until_up(server.sparql, server.process)
        mixes = {
            "point": (
                lambda s: sparql_get(
                    s.sparql, lambda i: POINT.format(actor=actors[i % len(actors)])
                ),
                args.clients,
            ),
            "analytic": (
                lambda s: sparql_get(s.sparql, lambda i: ANALYTIC),
                args.analytic_clients,
            ),
            "dump": (lambda s: dump_get(s.dump) if s.dump else None, args.dump_clients),
        }
        tallies: dict[str, dict[str, Tally]] = {}
        for mix, (make, clients) in mixes.items():
            if mix not in args.mixes.split(","):
                continue
            requests_of = {server.name: make(server) for server in servers}
            taking_part = [server.name for server in servers if requests_of[server.name]]
            tallies[mix] = {name: Tally() for name in taking_part}
            if mix != "dump":  # warm-up: every worker and cache, not counted
                for name in taking_part:
                    hammer(requests_of[name], clients, 3.0)
            rounds = 1 if mix == "dump" else max(args.rounds, 1)
            seconds = args.analytic_seconds if mix == "analytic" else args.seconds
            for turn in range(rounds):
                for name in taking_part if turn % 2 == 0 else taking_part[::-1]:
                    hammer(requests_of[name], clients, seconds / rounds, tallies[mix][name])
                    print(mix, f"round {turn + 1}", name, tallies[mix][name].rounds[-1], flush=True)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    results = {
        mix: {name: tally.summary() for name, tally in by_server.items()}
        for mix, by_server in tallies.items()
    }
    relative: dict[str, dict[str, float]] = {}  # each server's throughput ÷ oxigraph serve's
    round_ratios: dict[str, list[float]] = {}
    for mix, by_server in tallies.items():
        peer = by_server.get(PEER)
        if peer is None or not peer.per_second():
            continue
        relative[mix] = {
            name: round(tally.per_second() / peer.per_second(), 2)
            for name, tally in by_server.items()
        }
        if OURS in by_server:
            round_ratios[mix] = [
                round(mine / theirs, 2) if theirs else None
                for mine, theirs in zip(by_server[OURS].rounds, peer.rounds, strict=True)
            ]
    ratios = {mix: by_server[OURS] for mix, by_server in relative.items() if OURS in by_server}
    tuned_ratios = {
        mix: round(by_server[OURS].per_second() / by_server[TUNED_PEER].per_second(), 2)
        for mix, by_server in tallies.items()
        if OURS in by_server and by_server.get(TUNED_PEER) and by_server[TUNED_PEER].per_second()
    }
    report = {
        "digests": args.digests if args.store is None else None,
        "store": str(store),
        "quads": quads,
        "rdflib_quads": rdflib_quads,
        "clients": args.clients,
        "analytic_clients": args.analytic_clients,
        "dump_clients": args.dump_clients,
        "seconds": args.seconds,
        "analytic_seconds": args.analytic_seconds,
        "rounds": args.rounds,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else None,
            "load_average": os.getloadavg(),
        },
        "results": results,
        "ratio_to_oxigraph": ratios,
        "each_to_oxigraph": relative,
        "ratio_to_oxigraph_by_round": round_ratios,
        "ratio_to_oxigraph_malloc_tuned": tuned_ratios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"\n{quads:,} quads; {args.clients} clients ({args.analytic_clients} analytic, "
        f"{args.dump_clients} dump), {args.seconds:g} s per server on point look-ups, "
        f"{args.analytic_seconds:g} s on analytic queries, in {args.rounds} rounds\n"
    )
    print("| mix | server | requests | errors | req/s | median ms | p99 ms | ÷ oxigraph serve |")
    print("|---|---|---|---|---|---|---|---|")
    for mix, by_server in results.items():
        for name, row in by_server.items():
            ratio = relative.get(mix, {}).get(name, "") if name != PEER else ""
            print(
                f"| {mix} | {name} | {row['requests']} | {row['errors']} | {row['per_second']} "
                f"| {row['median_ms']} | {row['p99_ms']} | {ratio} |"
            )
    for mix, ratio in tuned_ratios.items():
        print(f"{mix}: ours ÷ oxigraph serve with our malloc setting: {ratio}")
    for mix, by_round in round_ratios.items():
        print(f"{mix}: ours ÷ oxigraph serve by round: {by_round}")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
