"""CPU milliseconds per digest of SHACL validation alone (loader/validate/shacl.py).

Maps each digest once (not timed), then validates every graph --rounds times
against the registry, as a worker does, and reports CPU time (not wall time, so
that a machine shared with other work still gives a usable figure) per digest.
By default the bundled seed digests (../shared/seeds) when present, else the corpus.

    .venv/bin/python benchmarks/shacl_cpu.py [FILE_OR_DIR ...] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from voxgraph.loader.map.graph import map_digest
from voxgraph.loader.pipeline import digest_files
from voxgraph.loader.read.parse import digest_from_bytes
from voxgraph.loader.read.webpage import digest_input
from voxgraph.loader.registry import Registry
from voxgraph.loader.validate.shacl import validate
from voxgraph.paths import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="Digest files or folders.")
    parser.add_argument("--rounds", type=int, default=3, help="Times each graph is validated.")
    args = parser.parse_args()
    paths = args.paths or [SEEDS if SEEDS.is_dir() else ROOT / "corpus"]
    registry = Registry.load()
    context = registry.graph()
    graphs = []
    for path in digest_files(paths):
        raw, source = digest_input(path)
        graphs.append(map_digest(digest_from_bytes(raw, source or path.name), registry, "bench"))
    validate(graphs[0], context=context)  # parse the shapes and the ontology first
    started = time.process_time()
    for _ in range(args.rounds):
        for graph in graphs:
            validate(graph, context=context)
    ms = (time.process_time() - started) / (args.rounds * len(graphs)) * 1000
    triples = sum(len(g) for g in graphs) / len(graphs)
    print(f"{len(graphs)} digests ({triples:.0f} triples on average): SHACL {ms:.1f} CPU ms/digest")


if __name__ == "__main__":
    main()
