"""CPU seconds per digest of one worker's job (parse, extract, map, SHACL), and of spaCy alone.

CPU time, not wall time, so that a machine shared with other work still gives
a usable figure; `benchmarks/ingest.py` measures the end-to-end rate.

    .venv/bin/python benchmarks/prepare_cpu.py [--digests 40] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from voxgraph.loader.extract.nlp import analyse
from voxgraph.loader.pipeline import prepare
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.registry import Registry
from voxgraph.synthesize import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=40, help="Synthetic digests to prepare.")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the synthetic corpus.")
    args = parser.parse_args()
    registry = Registry.load()
    with tempfile.TemporaryDirectory() as folder:
        generate(args.digests, Path(folder), seed=args.seed)
        files = sorted(Path(folder).glob("*.txt"))
        prepare(files[0], registry)  # load the model and the shapes first
        started = time.process_time()
        for path in files:
            prepare(path, registry)
        whole = (time.process_time() - started) / len(files)
        digests = [read_digest(path) for path in files]
        started = time.process_time()
        for digest in digests:
            analyse(digest)
        spacy = (time.process_time() - started) / len(files)
    print(f"{len(files)} digests: prepare {whole:.3f} CPU s per digest, spaCy alone {spacy:.3f}")


if __name__ == "__main__":
    main()
