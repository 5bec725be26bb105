"""`voxgraph evaluate`: how extracted facts are scored against gold annotations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from voxgraph.loader.evaluate.scores import compare, evaluate_digest, same_key, table, token_overlap
from voxgraph.loader.extract import Facts
from voxgraph.loader.extract.facts import Actor, Event, Mention, Statement
from voxgraph.loader.read.digest import Span
from voxgraph.loader.registry import Registry

REGISTRY = Registry([])
SPAN = Span(0, 1)
LALA = Actor("lala-orujova", "Lala Orujova", "Person")
KAMRAN = Actor("kamran-veliyev", "Kamran Veliyev", "Person")
POLICE = Actor("baku-police", "Baku Police", "GovernmentBody")

GOLD = yaml.safe_load(
    """
    digest: 2023-03-08
    actors: [baku-police, kamran-veliyev, lala-orujova]
    statements:
      - speaker: kamran-veliyev
        paraphrase: the arrest was political
      - speaker: kamran-veliyev
        quote: The charges are invented
    events:
      - type: Arrest
        agent: [baku-police]
        affected: [lala-orujova]
        date: 2023-03-06
    """
)


def facts(statements: list[Statement] | None = None, events: list[Event] | None = None) -> Facts:
    mentions = [Mention(actor, SPAN, actor.label) for actor in (LALA, KAMRAN, POLICE)]
    return Facts(mentions=mentions, roles=[], statements=statements or [], events=events or [])


def said(speaker: Actor, quote: str | None = None, paraphrase: str | None = None) -> Statement:
    return Statement(speaker=speaker, evidence=[SPAN], quote=quote, paraphrase=paraphrase)


def arrest(affected: Actor, on: date | None) -> Event:
    return Event(type="Arrest", evidence=[SPAN], agent=[POLICE], affected=[affected], date=on)


def test_token_overlap_is_the_f1_of_shared_words() -> None:
    assert token_overlap("the charges are invented", "the charges are invented") == 1.0
    assert token_overlap("the charges are invented", "nothing alike here") == 0.0
    assert 0.5 < token_overlap("the charges are invented", "charges are invented, he said") < 1.0


def test_a_name_in_another_order_is_the_same_actor() -> None:
    assert same_key("elvin-mammadov", "mammadov-elvin")
    assert not same_key("elvin-mammadov", "elvin-mammadli")


def test_a_perfect_extraction_scores_one_everywhere() -> None:
    found = facts(
        [
            said(KAMRAN, paraphrase="the arrest was political."),
            said(KAMRAN, "The charges are invented,"),
        ],
        [arrest(LALA, date(2023, 3, 6))],
    )
    report = compare(GOLD, found, REGISTRY)
    for kind in ("persons", "actors", "statements", "events"):
        score = report.scores[kind]
        assert score.f1 == 1.0, f"{kind}: missed {score.misses}, extra {score.extras}"
    assert report.scores["persons"].gold == 2, "the police is an actor, not a person"
    assert report.quote_spans.f1 == 1.0 and report.quote_overlap.value == 1.0
    assert report.speaker_accuracy.value == 1.0
    assert report.event_dates.value == 1.0


def test_words_found_with_the_wrong_speaker_lower_speaker_accuracy_not_quote_spans() -> None:
    report = compare(GOLD, facts([said(LALA, "The charges are invented")]), REGISTRY)
    assert report.quote_spans.recall == 1.0, "the gold quote was found, word for word"
    assert report.speaker_accuracy.value == 0.0, "but not with the gold speaker"
    assert report.scores["statements"].matched == 0


def test_a_quote_cut_short_pairs_by_its_words_and_shows_in_the_overlap() -> None:
    report = compare(GOLD, facts([said(KAMRAN, "The charges are")]), REGISTRY)
    assert report.quote_spans.matched == 1
    assert 0.5 < report.quote_overlap.value < 1.0
    assert report.scores["statements"].matched == 0, "too short to be the same words"


def test_an_event_is_matched_by_class_and_whom_it_concerns_its_date_apart() -> None:
    report = compare(GOLD, facts(events=[arrest(LALA, date(2023, 3, 1))]), REGISTRY)
    assert report.scores["events"].matched == 1
    assert report.event_dates.value == 0.0, "the gold date differs from the one found"
    report = compare(GOLD, facts(events=[arrest(KAMRAN, date(2023, 3, 6))]), REGISTRY)
    assert report.scores["events"].matched == 0, "the arrest of someone else"


def test_gold_types_decide_who_counts_as_a_person() -> None:
    gold = dict(GOLD, actors=[*GOLD["actors"], "orujova-foundation"])
    gold["types"] = {"orujova-foundation": "CivilSocietyOrganization"}
    report = compare(gold, facts(), REGISTRY)
    assert report.scores["persons"].gold == 2
    assert "speaker accuracy" in table(report)


def test_a_digest_that_does_not_load_counts_as_found_empty(tmp_path: Path) -> None:
    (tmp_path / "2023-03-08.txt").write_bytes(b"")
    report = evaluate_digest(GOLD, tmp_path / "2023-03-08.txt", REGISTRY)
    assert report.unread, "the empty file should be reported as not read"
    assert report.scores["events"].recall == 0.0
    assert "digests read: 0 of 1" in table(report)
