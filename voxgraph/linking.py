"""What `voxgraph link` does: the command's three modes over loader/link/candidates.py.

voxgraph link -o candidates.csv        candidates for every actor without a verified link
voxgraph link --accept ACTOR QID --source WHERE [--row TEXT] [--match TEXT]
                                       record a curator's reviewed link and its source
voxgraph link --verify [--promote]     check every recorded link against Wikidata now
voxgraph link --coverage               how many actors of each type are linked, from which sources
voxgraph link --check-sources CLONES   every repository source against local clones, offline
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import click
from tqdm import tqdm

from voxgraph.loader.link import candidates as link
from voxgraph.loader.link.wikidata import DEFAULT_API, DEFAULT_CACHE, WikidataClient, WikidataError
from voxgraph.loader.registry import (
    ACTOR_TYPES,
    PLACE_TYPES,
    QID,
    Link,
    Registry,
    RegistryError,
    parse_source,
    read_entries,
)
from voxgraph.loader.store.oxigraph import GraphStore
from voxgraph.paths import ACTOR_REGISTRY

CSV_COLUMNS = (
    "actor",
    "actor_label",
    "qid",
    "candidate_label",
    "description",
    "score",
    "reasons",
)


@dataclass(frozen=True)
class Options:
    registry_file: Path | None
    store_dir: Path
    api: str | None
    cache_dir: Path | None
    threshold: float | None
    progress: bool

    @property
    def curated(self) -> Path:
        return self.registry_file or ACTOR_REGISTRY

    @property
    def cutoff(self) -> float:
        return link.DEFAULT_THRESHOLD if self.threshold is None else self.threshold

    def client(self) -> WikidataClient:
        return WikidataClient(self.api or DEFAULT_API, self.cache_dir or DEFAULT_CACHE)

    def registry(self) -> Registry:
        return Registry.load(self.curated)

    def targets(self, registry: Registry) -> list[link.Target]:
        """The registry's actors, and the stored digests' too if there is a store."""
        store = None
        if self.store_dir.exists():
            store = GraphStore(self.store_dir, read_only=True)
        else:
            click.echo(f"no store at {self.store_dir}: linking the registry only", err=True)
        return link.targets(registry, self.curated, store)


def find(options: Options, output: TextIO) -> None:
    """One CSV row per candidate at or above the threshold."""
    registry = options.registry()
    client = options.client()
    todo = [t for t in options.targets(registry) if not (t.link and t.link.verified)]
    taken = link.taken_items(registry)
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    rows = unmatched = 0
    try:
        for target in tqdm(todo, desc="actors", unit="actor", disable=not options.progress):
            good = [
                c for c in link.find_candidates(target, client, taken) if c.score >= options.cutoff
            ]
            unmatched += not good
            for c in good:
                writer.writerow(
                    (
                        target.iri,
                        target.label,
                        c.item.id,
                        c.item.label,
                        c.item.description,
                        f"{c.score:.2f}",
                        "; ".join(c.reasons),
                    )
                )
                rows += 1
    except WikidataError as error:
        raise click.ClickException(str(error)) from None
    output.flush()
    click.echo(
        f"{len(todo)} actors without a verified link: {rows} candidates at or above "
        f"{options.cutoff:.2f}, {unmatched} actors with none; {client.requests} API requests",
        err=True,
    )


def accept(
    options: Options,
    actor: str,
    qid: str,
    source: str,
    row: str = "",
    match: str = "",
) -> None:
    """Record ACTOR = QID as a verified link, reviewed by a curator today, with its source.

    A curator's review is only as good as what a reader can check again, so the
    link records where: `source` is owner/name:path@commit (a file of a public
    repository at a fixed commit; `row` must then quote the text of the file
    that names QID), or an https:// page. `match` says what ties the actor to
    that row beyond the name (office, country, party, dates).
    """
    if not QID.fullmatch(qid):
        raise click.BadParameter(f"{qid!r} is not a Wikidata item id such as Q42", param_hint="QID")
    try:
        where = parse_source(source, qid, row)
    except RegistryError as error:
        raise click.BadParameter(
            str(error).removeprefix("source: "), param_hint="--source"
        ) from None
    reviewed = Link(
        qid=qid, status="verified", source=where, date=_today(), match=match or "curator review"
    )
    try:
        link.record_link(options.curated, actor, reviewed)
    except KeyError as error:
        raise click.ClickException(
            f"{error.args[0]}; add the actor to the registry first (id, label, type)"
        ) from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{actor}: {qid} recorded as verified in {options.curated} ({where.describe()})")


def verify(options: Options, *, promote: bool) -> bool:
    """Report every linked item that no longer fits its actor; True if all fit."""
    registry = options.registry()
    linked = [t for t in link.targets(registry, options.curated) if t.link is not None]
    try:
        checks = link.verify(linked, options.client())
    except WikidataError as error:
        raise click.ClickException(str(error)) from None
    for check in checks:
        assert check.target.link is not None
        where = f"{check.target.id} -> {check.target.link.qid} ({check.target.link.status})"
        if check.fits:
            click.echo(f"fits: {where}, score {check.score:.2f}")
        else:
            click.echo(f"DOES NOT FIT: {where}: " + "; ".join(check.problems))
        if promote and _promotable(check, options.cutoff):
            promoted = replace(
                check.target.link,
                status="verified",
                date=_today(),
                checked=f"voxgraph link --verify --promote, score {check.score:.2f}",
            )
            link.record_link(options.curated, check.target.id, promoted)
            click.echo(f"  promoted to verified: {check.target.id}")
    bad = sum(not c.fits for c in checks)
    click.echo(f"{len(checks)} links checked, {bad} do not fit", err=bool(bad))
    return not bad


def _promotable(check: link.Check, cutoff: float) -> bool:
    target = check.target
    return (
        check.fits
        and check.score is not None
        and check.score >= cutoff
        and target.curated
        and target.link is not None
        and not target.link.verified
    )


def _today() -> str:
    return date.today().isoformat()


# The order of mappings/actors.yaml.
COVERAGE_ORDER = (
    "Person",
    "PoliticalParty",
    "GovernmentBody",
    "Court",
    "MediaOutlet",
    "InternationalOrganization",
    "CivilSocietyOrganization",
    "Organization",
    "Country",
    *PLACE_TYPES,
)
assert set(COVERAGE_ORDER) == set(ACTOR_TYPES) | set(PLACE_TYPES)


def coverage(path: Path) -> str:
    """A Markdown table: per type, how many entries of `path` are linked, and from where.

    One row per type of the curated registry (actors, then places), with the
    number of entries, of linked ones (verified, i.e. owl:sameAs, and
    unverified candidates) and the repositories or sites their sources are in.
    """
    entries = read_entries(path)
    lines = [
        "| type | entries | linked | verified | unverified | sources (links) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    totals = [0, 0, 0, 0]
    for kind in COVERAGE_ORDER:
        of_kind = [e for e in entries if e.type == kind]
        if not of_kind:
            continue
        links = [e.wikidata for e in of_kind if e.wikidata is not None]
        verified = sum(link.verified for link in links)
        counts: dict[str, int] = {}
        for found in links:
            where = found.source.repository or urlsplit(found.source.url or "").netloc
            counts[where] = counts.get(where, 0) + 1
        sources = ", ".join(f"{k} ({n})" for k, n in sorted(counts.items())) or "–"
        row = [len(of_kind), len(links), verified, len(links) - verified]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        lines.append(f"| {kind} | {' | '.join(map(str, row))} | {sources} |")
    lines.append(f"| **all** | {' | '.join(f'**{n}**' for n in totals)} | |")
    return "\n".join(lines) + "\n"


def check_sources(path: Path, clones: Path) -> bool:
    """Check every link's source against local clones (CLONES/<owner>/<name>); True if all hold."""
    entries = [e for e in read_entries(path) if e.wikidata is not None]
    bad = 0
    for entry in entries:
        assert entry.wikidata is not None
        problem = link.check_source(entry.wikidata.source, clones)
        if problem is None:
            click.echo(
                f"holds: {entry.id} -> {entry.wikidata.qid} ({entry.wikidata.source.describe()})"
            )
        else:
            bad += 1
            click.echo(f"NOT CHECKED: {entry.id} -> {entry.wikidata.qid}: {problem}")
    click.echo(f"{len(entries)} sources, {bad} not confirmed", err=bool(bad))
    return not bad
