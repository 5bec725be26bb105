"""Ingest benchmark: digests per second through parse, map, SHACL and store.

    .venv/bin/python benchmarks/ingest.py                      # N = 100, 1,000, 10,000
    .venv/bin/python benchmarks/ingest.py --sizes 100,1000     # fewer
    .venv/bin/python benchmarks/ingest.py --sizes 10000 --merge  # add one size to the JSON
    .venv/bin/python benchmarks/ingest.py --jobs 1             # one process (default: CPUs)
    .venv/bin/python benchmarks/ingest.py --sizes 10000 --keep var/bench/store10000

For each N a synthetic corpus of N digests is generated (`voxgraph generate`,
not timed) and loaded into a new on-disk store by the real pipeline,
`loader.load.run`, exactly as `voxgraph load DIR --store NEW --jobs J` does.
The pipeline times its stages, so the figures say where the time goes: parse,
map, SHACL (summed over the --jobs worker processes, so with J > 1 they add up
to more than the wall time) and store (the one writer: replace_graph and the
final flush). Each N runs in its own process so that its peak memory
(ru_maxrss, of the writer and, separately, the largest worker) is its own.
Consolidation (loader/store/consolidate.py, the incidents) is timed twice: in full, after
the N digests of a new store, and incrementally, after a second batch of BATCH digests
dated after the last one loaded into that store, as `voxgraph load` does after each
batch; both must cost at most a tenth of their batch's load time.
--keep DIR keeps the loaded store (with --sizes of one N) for benchmarks/queries.py.
--batch-into DIR times only the incremental consolidation, on a copy of a kept store
(benchmarks/pages.py keeps var/bench/store1000), with --batch-start DAY to date the batch
inside the store's history instead (its digests then replace stored ones).

Prints a table and writes benchmarks/results/ingest.json with the machine it
ran on. The growth check: 10 times the digests must take at most 11 times as
long (cost per digest flat).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "ingest.json"
STAGES = ("parse", "map", "shacl", "store", "consolidate")  # as loader.load.STAGES
CONSOLIDATE_LIMIT = 0.1  # consolidation may cost at most a tenth of the load time
BATCH = 10  # digests of the follow-up batch that times incremental consolidation
GROWTH_LIMIT = 11.0  # 10x the digests within 11x the time


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb: float | None = round(pages / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        memory_gb = None
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            name: metadata.version(name) for name in ("pyoxigraph", "pyshacl", "rdflib", "voxgraph")
        },
    }


# -- one size, in a process of its own ---------------------------------------------


def measure(count: int, workdir: Path, seed: int, jobs: int, keep: Path | None) -> dict[str, Any]:
    """Generate `count` digests, load them into a new store, and time it."""
    from voxgraph.loader import pipeline
    from voxgraph.loader.store.oxigraph import GraphStore
    from voxgraph.synthesize import generate

    corpus = workdir / "digests"
    started = time.perf_counter()
    generate(count, corpus, seed=seed)
    generate_seconds = time.perf_counter() - started

    store_dir = keep or workdir / "store"
    if store_dir.exists():
        raise SystemExit(f"{store_dir} exists: the benchmark loads into a new store")
    store = GraphStore(store_dir)
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    report = pipeline.run([corpus], store, jobs=jobs)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    if report.failed or len(report.loaded) != count:
        first = next(iter(report.failed.items()), None)
        raise SystemExit(f"{len(report.failed)} of {count} digests failed to load: {first}")

    quads = sum(1 for _ in store.ox.quads_for_pattern(None, None, None, None))
    assert report.consolidation is not None and report.consolidation.full
    full = report.consolidation
    batch = load_batch(store, workdir / "more", seed + 1)
    return {
        "digests": count,
        "jobs": jobs,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),  # the writer process only
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],  # before, after
        "digests_per_second": round(count / seconds, 2),
        "ms_per_digest": {k: round(v / count * 1000, 1) for k, v in report.seconds.items()},
        "total_ms_per_digest": round(seconds / count * 1000, 1),
        "quads": quads,
        "store_mb": round(_size(store_dir) / 2**20, 1),
        "peak_rss_mb": round(_peak_rss_bytes(resource.RUSAGE_SELF) / 2**20, 1),
        "peak_worker_rss_mb": round(_peak_rss_bytes(resource.RUSAGE_CHILDREN) / 2**20, 1),
        "generate_seconds": round(generate_seconds, 2),
        "consolidate": {
            "full_seconds": round(full.seconds, 2),
            "full_share_of_load": round(full.seconds / seconds, 4),
            "reports": full.reports,
            "incidents": full.incidents,
            "links": full.links,
            **batch,
        },
    }


def load_batch(store, corpus: Path, seed: int, start: date | None = None) -> dict[str, Any]:
    """Load BATCH synthetic digests into `store`, dated from `start` (by default the day
    after its last digest), and time their incremental consolidation."""
    from voxgraph.loader import pipeline
    from voxgraph.synthesize import generate

    if start is None:
        query = (
            "PREFIX vox: <https://w3id.org/voxgraph/ontology#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> "
            "SELECT (MAX(?day) AS ?last) { ?digest a vox:Digest ; dcterms:date ?day }"
        )
        (row,) = list(store.query(query))
        start = date.fromisoformat(row["last"].value) + timedelta(days=1)
    generate(BATCH, corpus, seed=seed, start=start)
    started = time.perf_counter()
    batch = pipeline.run([corpus], store, jobs=1)
    batch_seconds = time.perf_counter() - started
    if batch.failed or batch.consolidation is None or batch.consolidation.full:
        raise SystemExit(f"the follow-up batch did not consolidate incrementally: {batch}")
    return {
        "batch_digests": BATCH,
        "batch_start": start.isoformat(),
        "batch_seconds": round(batch_seconds, 2),
        "incremental_seconds": round(batch.consolidation.seconds, 3),
        "incremental_share_of_batch": round(batch.consolidation.seconds / batch_seconds, 4),
        "incremental_reports": batch.consolidation.reports,
    }


def batch_into(kept: Path, seed: int, start: date | None) -> dict[str, Any]:
    """Time one incremental consolidation on a copy of a kept store (--batch-into)."""
    from voxgraph.loader.store import consolidate
    from voxgraph.loader.store.oxigraph import GraphStore

    with tempfile.TemporaryDirectory(prefix="voxgraph-bench-") as workdir:
        copy = Path(workdir) / "store"
        shutil.copytree(kept, copy)
        store = GraphStore(copy)
        if not consolidate.is_current(store):  # from another version of consolidate.py
            consolidate.consolidate(store)
        digests = len(consolidate.all_digests(store))
        load_before = os.getloadavg()[0]
        found = load_batch(store, Path(workdir) / "more", seed, start)
        load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return {"store": str(kept), "digests": digests, "load_average": load, **found}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _peak_rss_bytes(who: int) -> int:
    """Peak RSS of this process (RUSAGE_SELF) or its largest waited-for child."""
    peak = resource.getrusage(who).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def run_one(count: int, seed: int, jobs: int, keep: Path | None) -> dict[str, Any]:
    """Measure one size in a new process (its peak memory is then its own)."""
    command = [sys.executable, __file__, "--one", str(count), "--seed", str(seed)]
    command += ["--jobs", str(jobs)] + (["--keep", str(keep)] if keep else [])
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"N={count} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the report ----------------------------------------------------------------------


def growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Time ratio between consecutive sizes, against the ratio of the sizes."""
    ordered = sorted(runs, key=lambda r: r["digests"])
    ratios = []
    for small, large in zip(ordered, ordered[1:], strict=False):
        size_ratio = large["digests"] / small["digests"]
        time_ratio = large["seconds"] / small["seconds"]
        ratios.append(
            {
                "from": small["digests"],
                "to": large["digests"],
                "size_ratio": round(size_ratio, 2),
                "time_ratio": round(time_ratio, 2),
                "flat": time_ratio <= size_ratio * GROWTH_LIMIT / 10,
            }
        )
    return ratios


def table(runs: list[dict[str, Any]], ratios: list[dict[str, Any]]) -> str:
    header = (
        f"{'N':>6} {'jobs':>4} {'seconds':>8} {'dig/s':>6} {'ms/dig':>7} "
        + " ".join(f"{s:>6}" for s in STAGES)
        + f" {'quads':>9} {'peak MB':>8} {'worker MB':>9}"
    )
    lines = [header, " " * 35 + "(ms per digest, by stage, summed over jobs)"]
    for r in sorted(runs, key=lambda r: r["digests"]):
        stages = " ".join(f"{r['ms_per_digest'].get(s, 0.0):>6.1f}" for s in STAGES)
        lines.append(
            f"{r['digests']:>6} {r.get('jobs', 1):>4} {r['seconds']:>8.1f} "
            f"{r['digests_per_second']:>6.2f} {r['total_ms_per_digest']:>7.1f} {stages} "
            f"{r['quads']:>9} {r['peak_rss_mb']:>8.1f} {r.get('peak_worker_rss_mb', 0.0):>9.1f}"
        )
    for r in sorted(runs, key=lambda r: r["digests"]):
        c = r.get("consolidate")
        if c:
            ok = max(c["full_share_of_load"], c["incremental_share_of_batch"]) <= CONSOLIDATE_LIMIT
            lines.append(
                f"consolidate N={r['digests']}: full {c['full_seconds']:.2f} s "
                f"({c['full_share_of_load']:.1%} of the load; {c['reports']} reports -> "
                f"{c['incidents']} incidents), then {c['batch_digests']} more digests: "
                f"{c['incremental_seconds']:.3f} s ({c['incremental_share_of_batch']:.1%} of "
                f"that batch) ({'within' if ok else 'OVER'} the limit of "
                f"{CONSOLIDATE_LIMIT:.0%})"
            )
    for g in ratios:
        verdict = "flat" if g["flat"] else "NOT flat"
        lines.append(
            f"growth {g['from']} -> {g['to']}: {g['size_ratio']:g}x the digests in "
            f"{g['time_ratio']:.2f}x the time ({verdict}; limit {GROWTH_LIMIT:g}x per 10x)"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="Comma-separated N values.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the synthetic corpus.")
    parser.add_argument("--output", type=Path, default=RESULTS, help="JSON file to write.")
    parser.add_argument(
        "--merge", action="store_true", help="Keep the output file's runs of other sizes."
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="As voxgraph load --jobs."
    )
    parser.add_argument(
        "--keep", type=Path, help="Load into this (new) store directory and keep it; one size only."
    )
    parser.add_argument(
        "--batch-into",
        type=Path,
        help="Only time the incremental consolidation of one batch, on a copy of this kept store.",
    )
    parser.add_argument(
        "--batch-start",
        type=date.fromisoformat,
        help="With --batch-into: date the batch from this day (default: after the last digest).",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size
    args = parser.parse_args(argv)

    if args.batch_into:
        found = batch_into(args.batch_into, args.seed + 1, args.batch_start)
        print(json.dumps(found))
        print(
            f"{found['batch_digests']} digests from {found['batch_start']} into "
            f"{found['digests']}: consolidated in {found['incremental_seconds']:.2f} s, "
            f"{found['incremental_share_of_batch']:.1%} of the batch's "
            f"{found['batch_seconds']:.1f} s (load average {found['load_average']})"
        )
        return

    if args.one:
        with tempfile.TemporaryDirectory(prefix="voxgraph-bench-") as workdir:
            print(json.dumps(measure(args.one, Path(workdir), args.seed, args.jobs, args.keep)))
        return

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.keep and len(sizes) != 1:
        parser.error("--keep needs exactly one size")
    runs = []
    for count in sizes:
        print(f"N={count} ...", file=sys.stderr, flush=True)
        runs.append(run_one(count, args.seed, args.jobs, args.keep))
        print(table(runs[-1:], []).splitlines()[-1], file=sys.stderr, flush=True)
    if args.merge and args.output.exists():
        kept = json.loads(args.output.read_text())["runs"]
        runs += [r for r in kept if r["digests"] not in sizes]
    runs.sort(key=lambda r: r["digests"])
    ratios = growth(runs)
    print(table(runs, ratios))
    result = {
        "benchmark": "ingest",
        "command": "python benchmarks/ingest.py --jobs "
        + ",".join(sorted({str(r.get("jobs", 1)) for r in runs}))
        + " --sizes "
        + ",".join(str(r["digests"]) for r in runs),
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": args.seed,
        "machine": machine(),
        "runs": runs,
        "growth": ratios,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
