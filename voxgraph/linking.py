"""What `voxgraph link` does: the command's three modes over loader/link.py.

voxgraph link -o candidates.csv        candidates for every actor without a verified link
voxgraph link --accept ACTOR QID       record a curator's reviewed link
voxgraph link --verify [--promote]     check every recorded link against Wikidata now
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

import click
from tqdm import tqdm

from loader import link
from loader.registry import QID, Link, Registry
from loader.store import GraphStore
from loader.wikidata import DEFAULT_API, DEFAULT_CACHE, WikidataClient, WikidataError
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


def accept(options: Options, actor: str, qid: str) -> None:
    """Record ACTOR = QID as a verified link, reviewed by a curator today."""
    if not QID.fullmatch(qid):
        raise click.BadParameter(f"{qid!r} is not a Wikidata item id such as Q42", param_hint="QID")
    reviewed = Link(qid=qid, status="verified", source="curator review", date=_today())
    try:
        link.record_link(options.curated, actor, reviewed)
    except KeyError as error:
        raise click.ClickException(
            f"{error.args[0]}; add the actor to the registry first (id, label, type)"
        ) from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{actor}: {qid} recorded as verified in {options.curated}")


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
            promoted = Link(
                qid=check.target.link.qid,
                status="verified",
                source=f"voxgraph link --verify --promote, score {check.score:.2f} "
                f"(was: {check.target.link.source})",
                date=_today(),
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
