"""The `voxgraph` command: load, validate, dump and serve.

    voxgraph load corpus/                 parse, map, SHACL-check and store digests
    voxgraph validate my-digest.txt       the same checks, storing nothing
    voxgraph dump -o voxgraph.trig        the whole store as a file
    voxgraph serve --port 8000            the SPARQL endpoint and its pages
    voxgraph link -o candidates.csv       Wikidata candidates for unlinked actors
    voxgraph generate 1000 var/synthetic  a synthetic corpus in the house style
    voxgraph harvest SITE -o var/harvest  the series' digests from the publisher's site

Every command that touches the store takes --store DIR; without it the store
is $VOXGRAPH_STORE, or var/store in the checkout.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click

from voxgraph.loader.store import open_store
from voxgraph.loader.store.oxigraph import DEFAULT_STORE, store_path

STORE_OPTION = click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Store directory. Default: $VOXGRAPH_STORE, else {DEFAULT_STORE}.",
)
STORE_URL_OPTION = click.option(
    "--store-url",
    default=None,
    metavar="URL",
    help="Use a remote SPARQL 1.1 server instead of the store directory: its query endpoint "
    "(updates go to the same URL, or to .../update for one ending in /query). "
    "Default: $VOXGRAPH_STORE_URL. Its default graph must be the union of the named graphs.",
)


class Size(click.ParamType):
    """A size in bytes, written 2G, 512M, 1.5GiB or 1048576 (K, M, G, T: powers of 1024)."""

    name = "size"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, int):
            return value
        from voxgraph.server.memory import parse_size

        try:
            return parse_size(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


JOBS_OPTION = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Worker processes that parse, map and SHACL-check digests (the store is written by "
    "one process). Batches under 10 digests per worker use fewer.",
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
    for name, first in report.duplicates.items():
        click.echo(f"WARNING: {name}: same bytes as {first}; loaded once", err=True)
    for warnings in report.warnings.values():
        for warning in warnings:
            click.echo(f"WARNING: {warning}", err=True)
    for name, (key, other) in report.replaced.items():
        click.echo(f"REPLACED: digest {key}, stored from {other}, by {name} (--replace)", err=True)
    for name, reason in report.failed.items():
        click.echo(f"FAILED: {name}\n  " + reason.replace("\n", "\n  "), err=True)
    summary = f"{len(report.loaded)} {verb}, {len(report.unchanged)} unchanged, "
    click.echo(summary + f"{len(report.failed)} failed", err=bool(report.failed))


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@STORE_OPTION
@STORE_URL_OPTION
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
@JOBS_OPTION
@click.option(
    "--replace",
    is_flag=True,
    help="Let a file replace a stored digest of the same date that came from another file "
    "(without it such a file is refused and nothing changes), and the later of two files of "
    "one date in this batch replace the earlier. A file loaded again after an edit replaces "
    "its own digest without it.",
)
def load(
    paths: tuple[Path, ...],
    store_dir: Path | None,
    store_url: str | None,
    progress: bool | None,
    jobs: int,
    replace: bool,
) -> None:
    """Load digest files, or folders of them (*.txt), into the store.

    Saved web pages of the series (*.html, *.htm: a browser's "Save page as", or
    wget) are read too: the article's text is extracted and the page's canonical
    URL becomes the digest's source, as a DATE.txt.source file beside a harvested
    DATE.txt gives its URL. Hidden folders (a harvest's .cache/) are not searched.

    Each digest replaces its own named graph in one transaction; unchanged
    digests are skipped. A digest is identified by its date: a file whose date
    is that of a digest stored from another file (its name differs) is refused
    unless --replace. A file that fails is named with the reason, the rest
    still load, and the command exits with status 1.
    """
    from voxgraph.loader import pipeline

    store = open_store(store_dir, store_url)
    show = sys.stderr.isatty() if progress is None else progress
    report = pipeline.run(paths, store, progress=show, jobs=jobs, replace=replace)
    _print_report(report, "loaded")
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@JOBS_OPTION
def validate(paths: tuple[Path, ...], jobs: int) -> None:
    """Parse, map and SHACL-check digests without storing them."""
    from voxgraph.loader import pipeline

    report = pipeline.run(paths, store=None, jobs=jobs)
    _print_report(report, "valid")
    sys.exit(0 if report.ok else 1)


@main.command()
@STORE_OPTION
@STORE_URL_OPTION
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write; the extension picks the format: .ttl (union of all graphs), "
    ".trig or .nq (with named graphs), .nt.",
)
def dump(store_dir: Path | None, store_url: str | None, output: Path) -> None:
    """Write the whole store to a file, deterministically (the same data gives the same bytes).

    With --store-url (or $VOXGRAPH_STORE_URL), the project's graphs of that server, read
    graph by graph; an answer the server cut fails the dump (and no file is left).
    """
    from voxgraph.loader.store import RemoteStoreError
    from voxgraph.loader.store.dumps import DUMP_FORMATS, write_dump

    fmt = output.suffix.lstrip(".")
    if fmt not in DUMP_FORMATS:
        raise click.BadParameter(f"unknown extension .{fmt}; use one of {sorted(DUMP_FORMATS)}")
    store = open_store(store_dir, store_url, read_only=True)
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("wb") as out:
            write_dump(store, out, fmt)
    except (RemoteStoreError, TimeoutError) as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"no dump written: {error}") from None
    partial.replace(output)
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
    from voxgraph.loader.evaluate.scores import evaluate as run_evaluation
    from voxgraph.loader.evaluate.scores import table
    from voxgraph.loader.registry import Registry
    from voxgraph.paths import CORPUS

    files = [f for g in gold for f in (sorted(g.glob("*.yaml")) if g.is_dir() else [g])]
    report = run_evaluation(files, digests or CORPUS, Registry.load())
    click.echo(table(report))
    if show_errors:
        for kind, score in report.scores.items():
            for miss in score.misses:
                click.echo(f"{kind} missed: {miss}")
            for extra in score.extras:
                click.echo(f"{kind} extra:  {extra}")


@main.command()
@STORE_OPTION
@STORE_URL_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=32, show_default=True, type=int, help="HTTP threads.")
@click.option(
    "--timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds a query may run; past that it is stopped and the client gets 504.",
)
@click.option(
    "--workers",
    default=4,
    show_default=True,
    type=click.IntRange(min=0),
    help="Queries evaluated at once, as threads of a worker process that is replaced when a "
    "query overruns --timeout (0: evaluate in the server process, without time limit).",
)
@click.option(
    "--max-concurrent",
    default=16,
    show_default=True,
    type=click.IntRange(min=1),
    help="Queries running or waiting at once; one more gets 503 with Retry-After.",
)
@click.option(
    "--max-memory",
    type=Size(),
    default=None,
    metavar="SIZE",
    show_default="a quarter of MemTotal or of the cgroup's limit, at least 256M",
    help="Memory the query worker processes may use together (private resident memory; "
    "e.g. 2G, 512M, at least 128M). A query that needs more is stopped and gets 507, its "
    "worker is replaced, and queries of other clients in that worker are sent again. "
    "Not with --workers 0 or --store-url.",
)
@click.option(
    "--max-rows",
    default=100_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rows (or triples) per answer; a longer answer is cut and says so.",
)
@click.option(
    "--service",
    "services",
    multiple=True,
    help="A SPARQL endpoint that SERVICE clauses may call (repeatable), besides the default "
    "https://query.wikidata.org/sparql.",
)
@click.option(
    "--no-default-services",
    is_flag=True,
    help="Do not allow the default SERVICE endpoint (Wikidata); only the --service ones.",
)
def serve(
    store_dir: Path | None,
    store_url: str | None,
    host: str,
    port: int,
    threads: int,
    timeout: float,
    workers: int,
    max_concurrent: int,
    max_memory: int | None,
    max_rows: int,
    services: tuple[str, ...],
    no_default_services: bool,
) -> None:
    """Serve the SPARQL endpoint and its pages with waitress (production WSGI)."""
    from voxgraph.server.memory import MIN_MAX_MEMORY, default_max_memory
    from voxgraph.server.serve import serve as run_server
    from voxgraph.server.settings import DEFAULT_SERVICES, Settings

    if max_memory is not None and max_memory < MIN_MAX_MEMORY:
        raise click.BadParameter(
            f"at least {MIN_MAX_MEMORY // 2**20}M: a query worker needs about 60 MiB before "
            "its first query",
            param_hint="--max-memory",
        )
    defaults = () if no_default_services else DEFAULT_SERVICES
    settings = Settings(
        service_allowlist=tuple(dict.fromkeys((*defaults, *services))),
        timeout=timeout,
        workers=workers,
        max_concurrent_queries=max_concurrent,
        max_memory=max_memory or default_max_memory(),
        max_result_rows=max_rows,
    )
    run_server(
        store_path(store_dir),
        host=host,
        port=port,
        threads=threads,
        settings=settings,
        store_url=store_url,
    )


@main.command()
@STORE_OPTION
@click.option(
    "--api",
    default=None,
    help="Wikidata API URL. Default: https://www.wikidata.org/w/api.php.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where API answers are cached. Default: var/wikidata-cache in the checkout.",
)
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="CSV file for the candidates. Default: standard output.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Least score (0-1) of a candidate worth listing, and of a link --promote verifies. "
    "Default: 0.8.",
)
@click.option(
    "--accept",
    nargs=2,
    metavar="ACTOR QID",
    default=None,
    help="Record a reviewed link in the registry: ACTOR (id, e.g. ali-karimli) is Wikidata "
    "item QID, status verified, today's date, with the --source a reader can check. "
    "Asks Wikidata nothing.",
)
@click.option(
    "--source",
    "source",
    metavar="WHERE",
    default=None,
    help="With --accept (required): where a reader can check the link: "
    "owner/name:path@COMMIT (a file of a public GitHub repository at a full 40-hex commit), "
    "https://github.com/owner/name/blob/COMMIT/path, or another https:// page.",
)
@click.option(
    "--row",
    default="",
    help="With --accept: the text of the source that names QID (required for a repository "
    "file: the CSV line, or the lines of a record joined by ' … ').",
)
@click.option(
    "--match",
    default="",
    help="With --accept: what ties the actor to that row beyond the name "
    "(office, country, party, dates).",
)
@click.option(
    "--check-sources",
    "clones",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Check every link's source offline: CLONES holds a git clone of each source "
    "repository as CLONES/owner/name; the file at the recorded commit must hold the recorded "
    "row. Exit 1 if any does not (or is a web page, or has no clone).",
)
@click.option(
    "--coverage",
    is_flag=True,
    help="Print how many actors of each type have a link, and from which sources "
    "(a Markdown table, as in the README). Asks Wikidata nothing.",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Re-fetch every linked item and report those whose labels, aliases or type no "
    "longer fit the actor; exit 1 if any.",
)
@click.option(
    "--promote",
    is_flag=True,
    help="With --verify: mark each unverified link that fits and scores at least the "
    "threshold as verified in the registry.",
)
@click.option(
    "--registry",
    "registry_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="The curated registry file to read and edit. Default: mappings/actors.yaml.",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
def link(
    store_dir: Path | None,
    api: str | None,
    cache_dir: Path | None,
    output,
    threshold: float | None,
    accept: tuple[str, str] | None,
    source: str | None,
    row: str,
    match: str,
    clones: Path | None,
    coverage: bool,
    verify: bool,
    promote: bool,
    registry_file: Path | None,
    progress: bool | None,
) -> None:
    """Link actors to Wikidata items: find candidates, record reviewed links, verify them.

    Without --accept or --verify: for every actor and place of the registry and
    of the stored digests that has no verified link, search Wikidata for its
    names, score the items found and write one CSV row per candidate at or above
    the threshold (actor, label, qid, candidate label, description, score,
    reasons). Review the rows, then record the right ones with --accept.
    """
    from voxgraph import linking

    if promote and not verify:
        raise click.UsageError("--promote goes with --verify")
    if accept is not None and not source:
        raise click.UsageError(
            "--accept needs --source WHERE: a link is recorded only with a source a reader "
            "can check (owner/name:path@COMMIT with --row, or an https:// page)"
        )
    if source is not None and accept is None:
        raise click.UsageError("--source goes with --accept")
    options = linking.Options(
        registry_file=registry_file,
        store_dir=store_path(store_dir),
        api=api,
        cache_dir=cache_dir,
        threshold=threshold,
        progress=sys.stderr.isatty() if progress is None else progress,
    )
    if clones is not None:
        sys.exit(0 if linking.check_sources(options.curated, clones) else 1)
    elif coverage:
        click.echo(linking.coverage(options.curated), nl=False)
    elif accept is not None:
        linking.accept(options, *accept, source=source or "", row=row, match=match)
    elif verify:
        sys.exit(0 if linking.verify(options, promote=promote) else 1)
    else:
        linking.find(options, output)


@main.command()
@click.argument("count", type=click.IntRange(min=1))
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed, same files.")
@click.option(
    "--start-date",
    "start",
    default="2030-01-01",
    show_default=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of the first digest; the others follow day by day.",
)
def generate(count: int, outdir: Path, seed: int, start: datetime) -> None:
    """Write COUNT synthetic digests to OUTDIR (DATE.txt), made from the bundled ones.

    New dates, people renamed from a list of fictional names, paragraphs and
    sentences recombined: every digest is distinct, parses and passes the
    shapes. For benchmarks (benchmarks/ingest.py).
    """
    from voxgraph.synthesize import generate as write_corpus

    written = write_corpus(count, outdir, seed=seed, start=start.date())
    dates = f"{written[0].stem} to {written[-1].stem}"
    click.echo(f"wrote {len(written)} digests to {outdir} ({dates})")


@main.command()
@click.argument("site")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the digests: DATE.txt, and DATE.txt.source holding the page's URL "
    "(DATE-2.txt for a second digest of one day). Created if missing.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only posts published on or after this date (YYYY-MM-DD).",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only posts published on or before this date (YYYY-MM-DD).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between two requests to the site (one request at a time).",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the fetched pages, so that a second run fetches only the listing. "
    "Default: OUTPUT/.cache.",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: on a terminal)."
)
def harvest(
    site: str,
    out: Path,
    since: datetime | None,
    until: datetime | None,
    delay: float,
    cache_dir: Path | None,
    progress: bool | None,
) -> None:
    """Harvest the digests from the publisher's WordPress site into loadable files.

    SITE is the English site root, e.g. https://cnis-baku.org/eng/. Lists the
    posts through the WordPress REST API (SITE/wp-json/wp/v2/posts), keeps the
    digests (laid out as one and marked as the series': "Digest" in the title or
    a category, or a section heading of the series; see mappings/harvest.yaml),
    fetches each digest's page and extracts the article's text. Polite: a
    User-Agent naming the project, one request at a time, back-off on 429 and
    5xx honouring Retry-After. Exits 1 if a post failed or the listing broke off.
    Then: voxgraph load OUTPUT.
    """
    from voxgraph.loader.read.harvest import harvest as run_harvest

    if since and until and since > until:
        raise click.BadParameter("--since is after --until")
    show = sys.stderr.isatty() if progress is None else progress
    summary = run_harvest(
        site,
        out,
        since=since.date() if since else None,
        until=until.date() if until else None,
        delay=delay,
        cache_dir=cache_dir,
        progress=show,
    )
    for path in summary.new:
        click.echo(f"new: {path}")
    for path in summary.updated:
        click.echo(f"updated: {path}")
    for url, why in summary.skipped.items():
        click.echo(f"skipped, not a digest: {url} ({why})")
    for url, why in summary.failed.items():
        click.echo(f"FAILED: {url}\n  {why}", err=True)
    if summary.error:
        click.echo(f"STOPPED: the listing broke off: {summary.error}", err=True)
    click.echo(summary.line(), err=not summary.ok)
    sys.exit(0 if summary.ok else 1)


if __name__ == "__main__":
    main()
