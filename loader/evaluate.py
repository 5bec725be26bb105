"""Measure the mappers against hand-written gold annotations.

A gold file (YAML, one per digest; see tests/gold/) lists who is named, every
statement with speaker and quote or paraphrase, and every event with type,
affected actors and date. `evaluate()` maps the digest text afresh and counts
matches per kind:

    actors      by actor key (the last segment of its IRI); the publisher line
                counts on neither side
    statements  by speaker + quote (or paraphrase), quotes compared after
                folding spaces and quote marks, allowing small edge differences
    events      by type + set of affected actors + date

Precision, recall and F1 are micro-averaged over all digests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from loader.extract import extract
from loader.extract.facts import Actor
from loader.parse import read_digest
from loader.registry import Registry
from voxgraph.iris import slug

QUOTE_SIMILARITY = 90  # rapidfuzz ratio (0-100) for two quotes to count as the same


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    misses: list[str] = field(default_factory=list)  # gold items not found
    extras: list[str] = field(default_factory=list)  # predicted items not in gold

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched
        self.misses += other.misses
        self.extras += other.extras


def _fold(text: str) -> str:
    text = re.sub(r"[“”\"‘’'«»]", "", text)
    return re.sub(r"\s+", " ", text).strip(" .,…").casefold()


def _similar(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    fa, fb = _fold(a), _fold(b)
    return fa == fb or fuzz.ratio(fa, fb) >= QUOTE_SIMILARITY


def _match(gold: list, predicted: list, same) -> Score:
    """Greedy one-to-one matching of gold and predicted items."""
    score = Score(gold=len(gold), predicted=len(predicted))
    unused = list(predicted)
    for item in gold:
        hit = next((p for p in unused if same(item, p)), None)
        if hit is None:
            score.misses.append(str(item))
        else:
            unused.remove(hit)
            score.matched += 1
    score.extras = [str(p) for p in unused]
    return score


def _keys(actors: Iterable[Actor]) -> frozenset[str]:
    return frozenset(a.key for a in actors)


def evaluate_digest(gold: dict, digest_path: Path, registry: Registry) -> dict[str, Score]:
    digest = read_digest(digest_path)
    facts = extract(digest, registry)
    mentions, statements, events = facts.mentions, facts.statements, facts.events

    # The publisher line is layout, not a mention: it counts on neither side.
    publisher = registry.lookup(digest.publisher)
    skip = {publisher.id if publisher else slug(digest.publisher)}
    found_actors = sorted({m.actor.key for m in mentions} - skip)
    gold_actors = sorted(set(gold.get("actors") or []) - skip)
    actors = _match(gold_actors, found_actors, lambda g, p: g == p)

    gold_statements = [
        {"speaker": s["speaker"], "quote": s.get("quote"), "paraphrase": s.get("paraphrase")}
        for s in gold.get("statements") or []
    ]
    found_statements = [
        {"speaker": s.speaker.key, "quote": s.quote, "paraphrase": s.paraphrase} for s in statements
    ]

    def same_statement(g: dict, p: dict) -> bool:
        if g["speaker"] != p["speaker"]:
            return False
        if g["quote"] or p["quote"]:
            return _similar(g["quote"], p["quote"])
        return _similar(g["paraphrase"], p["paraphrase"])

    statement_score = _match(gold_statements, found_statements, same_statement)

    gold_events = [
        (e["type"], frozenset(e.get("affected") or ()), str(e["date"]) if e.get("date") else None)
        for e in gold.get("events") or []
    ]
    found_events = [
        (e.type, _keys(e.affected), e.date.isoformat() if e.date else None) for e in events
    ]
    event_score = _match(gold_events, found_events, lambda g, p: g == p)
    return {"actors": actors, "statements": statement_score, "events": event_score}


def evaluate(gold_files: Iterable[Path], digest_dir: Path, registry: Registry) -> dict[str, Score]:
    """Scores per kind over all gold files; each names its digest by date."""
    totals = {kind: Score() for kind in ("actors", "statements", "events")}
    for gold_file in sorted(gold_files):
        gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        digest_path = digest_dir / f"{gold['digest']}.txt"
        for kind, score in evaluate_digest(gold, digest_path, registry).items():
            score.misses = [f"{gold['digest']}: {m}" for m in score.misses]
            score.extras = [f"{gold['digest']}: {x}" for x in score.extras]
            totals[kind].add(score)
    return totals


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'kind':<11} {'gold':>5} {'found':>5} {'match':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    for kind, s in scores.items():
        lines.append(
            f"{kind:<11} {s.gold:>5} {s.predicted:>5} {s.matched:>5} "
            f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    return "\n".join(lines)
