"""Measure extraction against hand-written gold annotations.

A gold file (YAML, one per digest; see tests/gold/) lists who is named, every
statement with speaker and quote or paraphrase, and every event with type,
the actors it concerns and date. `evaluate()` runs `loader.extract.extract` on
the digest text afresh (what the mapper stores) and counts matches per kind:

    persons     the actors of type Person, by key
    actors      every actor and place, by key; the publisher line counts on
                neither side
    statements  speaker + words: the quote (or, without one, the paraphrase),
                compared after folding spaces and quote marks, allowing small
                edge differences
    events      class + the actors it concerns (affected and participants; the
                agent where it has neither), as a set

Keys are compared as written, or as the same set of name words ("Mammadov
Elvin" and "Elvin Mammadov" are one person). An actor's type is the gold
file's `types:` entry, else the registry's, else the extractor's own.

Precision, recall and F1 are micro-averaged over all digests. Beside them,
the way quote-attribution work reports them, three figures that separate
finding words from attributing them:

    quote spans       gold quotes paired with found quotes of at least half
                      the same words (token overlap), P/R/F1 of that pairing,
                      and the mean token overlap (F1) of the pairs
    speaker accuracy  of the gold statements whose words were found (quote
                      pairs as above, paraphrases by similarity), the share
                      found with the right speaker
    event dates       of the matched events, the share with the gold date
                      (both absent counts as right)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from voxgraph.iris import slug
from voxgraph.loader.extract import Facts, extract
from voxgraph.loader.extract.facts import Actor, Event, Statement
from voxgraph.loader.read.digest import DigestError
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.registry import Registry

QUOTE_SIMILARITY = 90  # rapidfuzz ratio (0-100) for two quotes to count as the same
QUOTE_PAIRING_OVERLAP = 0.5  # token-overlap F1 for a found quote to pair with a gold one
KINDS = ("persons", "actors", "statements", "events")


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


@dataclass
class Ratio:
    """A share: `right` of `total` (1.0 when there is nothing to count)."""

    right: float = 0.0
    total: int = 0

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 1.0

    def add(self, other: Ratio) -> None:
        self.right += other.right
        self.total += other.total


@dataclass
class Report:
    """Everything `evaluate` measures over a set of digests."""

    scores: dict[str, Score] = field(default_factory=lambda: {k: Score() for k in KINDS})
    quote_spans: Score = field(default_factory=Score)
    quote_overlap: Ratio = field(default_factory=Ratio)  # summed overlap of paired quotes
    speaker_accuracy: Ratio = field(default_factory=Ratio)
    event_dates: Ratio = field(default_factory=Ratio)
    digests: int = 0
    unread: list[str] = field(default_factory=list)  # digests that failed to load: why

    def add(self, other: Report) -> None:
        for kind in KINDS:
            self.scores[kind].add(other.scores[kind])
        self.quote_spans.add(other.quote_spans)
        self.quote_overlap.add(other.quote_overlap)
        self.speaker_accuracy.add(other.speaker_accuracy)
        self.event_dates.add(other.event_dates)
        self.digests += other.digests
        self.unread += other.unread


def _fold(text: str) -> str:
    text = re.sub(r"[“”\"‘’'«»]", "", text)
    return re.sub(r"\s+", " ", text).strip(" .,…").casefold()


def _similar(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    fa, fb = _fold(a), _fold(b)
    return fa == fb or fuzz.ratio(fa, fb) >= QUOTE_SIMILARITY


def token_overlap(a: str, b: str) -> float:
    """F1 of the two texts' word multisets: 1.0 for the same words, 0.0 for none shared."""
    wa, wb = Counter(re.findall(r"\w+", a.casefold())), Counter(re.findall(r"\w+", b.casefold()))
    shared = sum((wa & wb).values())
    if not shared:
        return 0.0
    p, r = shared / sum(wb.values()), shared / sum(wa.values())
    return 2 * p * r / (p + r)


def same_key(a: str, b: str) -> bool:
    """One actor: the same key, or the same name words in another order."""
    return a == b or sorted(a.split("-")) == sorted(b.split("-"))


def _match(
    gold: list,
    predicted: list,
    same: Callable[[Any, Any], bool],
    on_match: Callable[[Any, Any], None] | None = None,
) -> Score:
    """Greedy one-to-one matching of gold and predicted items; `on_match(gold, found)` per pair."""
    score = Score(gold=len(gold), predicted=len(predicted))
    unused = list(predicted)
    for item in gold:
        hit = next((p for p in unused if same(item, p)), None)
        if hit is None:
            score.misses.append(str(item))
        else:
            unused.remove(hit)
            score.matched += 1
            if on_match is not None:
                on_match(item, hit)
    score.extras = [str(p) for p in unused]
    return score


def _keys(actors: Iterable[Actor]) -> frozenset[str]:
    return frozenset(a.key for a in actors)


def _same_keys(gold: frozenset[str], found: frozenset[str]) -> bool:
    if len(gold) != len(found):
        return False
    unused = list(found)
    for key in gold:
        hit = next((f for f in unused if same_key(key, f)), None)
        if hit is None:
            return False
        unused.remove(hit)
    return True


def _concerned(affected: Iterable[str], participants: Iterable[str], agent: Iterable[str]):
    who = frozenset(affected) | frozenset(participants)
    return who or frozenset(agent)


def _actor_scores(
    gold: dict, found: dict[str, str], registry: Registry, skip: set[str]
) -> tuple[Score, Score]:
    """Actors and persons; `found` maps each found key to its extracted type."""
    types = dict(gold.get("types") or {})
    by_id = registry.by_id

    def type_of(key: str) -> str:
        if key in types:
            return types[key]
        if key in by_id:
            return by_id[key].type
        return next((t for k, t in found.items() if same_key(k, key)), "unknown")

    gold_actors = sorted(set(gold.get("actors") or []) - skip)
    found_actors = sorted(set(found) - skip)
    actors = _match(gold_actors, found_actors, same_key)
    gold_persons = [k for k in gold_actors if type_of(k) == "Person"]
    found_persons = [k for k in found_actors if found[k] == "Person"]
    persons = _match(gold_persons, found_persons, same_key)
    return actors, persons


def _statement_figures(gold: list[dict], found: list[Statement], report: Report) -> Score:
    gold_items = [
        {"speaker": s["speaker"], "quote": s.get("quote"), "paraphrase": s.get("paraphrase")}
        for s in gold
    ]
    found_items = [
        {"speaker": s.speaker.key, "quote": s.quote, "paraphrase": s.paraphrase} for s in found
    ]

    def same_words(g: dict, p: dict) -> bool:
        if g["quote"] or p["quote"]:
            return _similar(g["quote"], p["quote"])
        return _similar(g["paraphrase"], p["paraphrase"])

    def same_statement(g: dict, p: dict) -> bool:
        return same_key(g["speaker"], p["speaker"]) and same_words(g, p)

    # Quote spans: pair each gold quote with the found quote sharing most words.
    gold_quotes = [g for g in gold_items if g["quote"]]
    unpaired = [p for p in found_items if p["quote"]]
    spans = Score(gold=len(gold_quotes), predicted=len(unpaired))
    paired: list[tuple[dict, dict]] = []
    for g in gold_quotes:
        best = max(
            unpaired, key=lambda p: token_overlap(g["quote"], p["quote"] or ""), default=None
        )
        overlap = token_overlap(g["quote"], best["quote"] or "") if best else 0.0
        if best is not None and overlap >= QUOTE_PAIRING_OVERLAP:
            unpaired.remove(best)
            paired.append((g, best))
            spans.matched += 1
            report.quote_overlap.add(Ratio(overlap, 1))
    report.quote_spans.add(spans)

    # Speaker accuracy over the statements whose words were found.
    unused = [p for p in found_items if not p["quote"]]
    for g in gold_items:
        if g["quote"]:
            continue
        hit = next((p for p in unused if same_words(g, p)), None)
        if hit is not None:
            unused.remove(hit)
            paired.append((g, hit))
    for g, p in paired:
        report.speaker_accuracy.add(Ratio(float(same_key(g["speaker"], p["speaker"])), 1))

    return _match(gold_items, found_items, same_statement)


def _event_figures(gold: list[dict], found: list[Event], report: Report) -> Score:
    gold_items = [
        (
            e["type"],
            _concerned(e.get("affected") or (), e.get("participants") or (), e.get("agent") or ()),
            str(e["date"]) if e.get("date") else None,
        )
        for e in gold
    ]
    found_items = [
        (
            e.type,
            _concerned(_keys(e.affected), _keys(e.participant), _keys(e.agent)),
            e.date.isoformat() if e.date else None,
        )
        for e in found
    ]

    def same_event(g: tuple, p: tuple) -> bool:
        return g[0] == p[0] and _same_keys(g[1], p[1])

    def same_date(g: tuple, p: tuple) -> None:
        report.event_dates.add(Ratio(float(g[2] == p[2]), 1))

    return _match(gold_items, found_items, same_event, on_match=same_date)


def evaluate_digest(gold: dict, digest_path: Path, registry: Registry) -> Report:
    """Extract the facts of one digest and compare them with its gold annotation.

    A digest that does not load is scored as found empty: everything in its
    gold annotation is missed.
    """
    try:
        digest = read_digest(digest_path)
    except DigestError as error:
        report = compare(gold, Facts([], [], [], []), registry)
        report.unread.append(str(error))
        return report
    # The publisher line is layout, not a mention: it counts on neither side.
    publisher = registry.lookup(digest.publisher)
    return compare(
        gold,
        extract(digest, registry),
        registry,
        publisher.id if publisher else slug(digest.publisher),
    )


def compare(gold: dict, facts: Facts, registry: Registry, publisher: str = "") -> Report:
    """How well `facts` agree with the `gold` annotation of the same digest."""
    report = Report(digests=1)
    found = {m.actor.key: m.actor.type for m in facts.mentions}
    actors, persons = _actor_scores(gold, found, registry, {publisher})
    report.scores["actors"], report.scores["persons"] = actors, persons
    report.scores["statements"] = _statement_figures(
        gold.get("statements") or [], facts.statements, report
    )
    report.scores["events"] = _event_figures(gold.get("events") or [], facts.events, report)
    return report


def evaluate(gold_files: Iterable[Path], digest_dir: Path, registry: Registry) -> Report:
    """Figures over all gold files; each names its digest by date (`digest: 2023-09-22`)."""
    total = Report()
    for gold_file in sorted(gold_files):
        gold = yaml.safe_load(gold_file.read_text(encoding="utf-8"))
        report = evaluate_digest(gold, digest_dir / f"{gold['digest']}.txt", registry)
        for score in report.scores.values():
            score.misses = [f"{gold['digest']}: {m}" for m in score.misses]
            score.extras = [f"{gold['digest']}: {x}" for x in score.extras]
        total.add(report)
    return total


def table(report: Report) -> str:
    """The figures as a plain-text table, as `voxgraph evaluate` prints them."""
    read = report.digests - len(report.unread)
    lines = [f"digests read: {read} of {report.digests}"]
    lines += [f"  not read: {why}" for why in report.unread]
    lines += [f"{'kind':<12} {'gold':>5} {'found':>5} {'match':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    rows = [*report.scores.items(), ("quote spans", report.quote_spans)]
    for kind, s in rows:
        lines.append(
            f"{kind:<12} {s.gold:>5} {s.predicted:>5} {s.matched:>5} "
            f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
        )
    lines.append("")
    lines.append(
        f"quote overlap     {report.quote_overlap.value:.3f}  "
        f"(mean token F1 of {report.quote_overlap.total} paired quotes)"
    )
    lines.append(
        f"speaker accuracy  {report.speaker_accuracy.value:.3f}  "
        f"({report.speaker_accuracy.right:.0f} of {report.speaker_accuracy.total} statements "
        "whose words were found)"
    )
    lines.append(
        f"event dates       {report.event_dates.value:.3f}  "
        f"({report.event_dates.right:.0f} of {report.event_dates.total} matched events)"
    )
    return "\n".join(lines)
