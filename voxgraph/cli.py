"""The `voxgraph` command: load, validate, dump and serve.

    voxgraph load corpus/                 parse, map, SHACL-check and store digests
    voxgraph validate my-digest.txt       the same checks, storing nothing
    voxgraph dump -o voxgraph.trig        the whole store as a file
    voxgraph serve --port 8000            the SPARQL endpoint and its pages

Every command that touches the store takes --store DIR; without it the store
is $VOXGRAPH_STORE, or var/store in the checkout.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from loader.store import DEFAULT_STORE, GraphStore, store_path

STORE_OPTION = click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Store directory. Default: $VOXGRAPH_STORE, else {DEFAULT_STORE}.",
)


@click.group()
@click.version_option(package_name="voxgraph")
def main() -> None:
    """Political news digests as a knowledge graph you can query, link and download."""


def _print_report(report, verb: str) -> None:
    for name in report.loaded:
        click.echo(f"{verb}: {name}")
    for name in report.unchanged:
        click.echo(f"unchanged, skipped: {name}")
    for name, reason in report.failed.items():
        click.echo(f"FAILED: {name}\n  " + reason.replace("\n", "\n  "), err=True)
    summary = f"{len(report.loaded)} {verb}, {len(report.unchanged)} unchanged, "
    click.echo(summary + f"{len(report.failed)} failed", err=bool(report.failed))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@STORE_OPTION
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
def load(paths: tuple[Path, ...], store_dir: Path | None, progress: bool | None) -> None:
    """Load digest files, or folders of them (*.txt), into the store.

    Each digest replaces its own named graph in one transaction; unchanged
    digests are skipped. A file that fails is named with the reason, the rest
    still load, and the command exits with status 1.
    """
    from loader import load as pipeline

    store = GraphStore(store_path(store_dir))
    show = sys.stderr.isatty() if progress is None else progress
    report = pipeline.run(paths, store, progress=show)
    _print_report(report, "loaded")
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Parse, map and SHACL-check digests without storing them."""
    from loader import load as pipeline

    report = pipeline.run(paths, store=None)
    _print_report(report, "valid")
    sys.exit(0 if report.ok else 1)


@main.command()
@STORE_OPTION
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; the extension picks the format: .ttl (union of all graphs), "
    ".trig or .nq (with named graphs), .nt.",
)
def dump(store_dir: Path | None, output: Path) -> None:
    """Write the whole store to a file, deterministically (sorted)."""
    from server.dumps import DUMP_FORMATS, write_dump

    fmt = output.suffix.lstrip(".")
    if fmt not in DUMP_FORMATS:
        raise click.BadParameter(f"unknown extension .{fmt}; use one of {sorted(DUMP_FORMATS)}")
    store = GraphStore(store_path(store_dir), read_only=True)
    with output.open("wb") as out:
        write_dump(store, out, fmt)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--digests",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder of the digests the gold files annotate, named DATE.txt. "
    "Default: the bundled corpus.",
)
@click.option("--show-errors", is_flag=True, help="List every miss and every extra.")
def evaluate(gold: tuple[Path, ...], digests: Path | None, show_errors: bool) -> None:
    """Precision, recall and F1 of the mappers against gold annotations.

    GOLD is gold files or folders of them (*.yaml), e.g. tests/gold.
    """
    from loader.evaluate import evaluate as run_evaluation
    from loader.evaluate import table
    from loader.registry import Registry
    from voxgraph.paths import CORPUS

    files = [f for g in gold for f in (sorted(g.glob("*.yaml")) if g.is_dir() else [g])]
    scores = run_evaluation(files, digests or CORPUS, Registry.load())
    click.echo(table(scores))
    if show_errors:
        for kind, score in scores.items():
            for miss in score.misses:
                click.echo(f"{kind} missed: {miss}")
            for extra in score.extras:
                click.echo(f"{kind} extra:  {extra}")


@main.command()
@STORE_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@click.option(
    "--service",
    "services",
    multiple=True,
    help="A SPARQL endpoint that SERVICE clauses may call (repeatable). None by default.",
)
def serve(
    store_dir: Path | None, host: str, port: int, threads: int, services: tuple[str, ...]
) -> None:
    """Serve the SPARQL endpoint and its pages with waitress (production WSGI)."""
    from server.serve import serve as run_server
    from server.settings import Settings

    settings = Settings(service_allowlist=tuple(services))
    run_server(store_path(store_dir), host=host, port=port, threads=threads, settings=settings)


if __name__ == "__main__":
    main()
