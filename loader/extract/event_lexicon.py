"""The event lexicon (mappings/events.yaml), compiled into regular expressions.

The file is data a curator extends: trigger words per event class, the actor
types each role takes, status cues, number words and units of time. This
module only turns it into patterns; `loader.extract.events` decides what they mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from voxgraph.paths import MAPPINGS

EVENT_LEXICON = MAPPINGS / "events.yaml"


@dataclass(frozen=True)
class EventClass:
    name: str
    affected: tuple[str, ...]
    agent: tuple[str, ...]
    participant: tuple[str, ...]
    has_duration: bool
    counts: bool
    subject_affected: bool
    restated: bool


@dataclass(frozen=True)
class Trigger:
    event_class: EventClass
    kind: str  # "verb", "phrase" or "noun"
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    classes: dict[str, EventClass]
    triggers: tuple[Trigger, ...]
    status: dict[str, re.Pattern[str]]  # "Planned"/"Alleged" -> its cues
    refer_back: frozenset[str]
    new_event: frozenset[str]
    negations: frozenset[str]
    hypothetical: re.Pattern[str]
    not_events: re.Pattern[str]
    count: re.Pattern[str]  # a number of people; group "number"
    duration: re.Pattern[str]  # a length of time; groups "number", "unit"
    numbers: dict[str, int]
    number_pattern: str  # a number in digits or words
    durations: dict[str, str]  # unit -> xsd:duration template

    def number(self, written: str) -> int | None:
        """'twelve' -> 12, '5,000' -> 5000, '25-30' -> 25 (the lower bound)."""
        written = written.lower().split("-")[0].replace(",", "").strip()
        return int(written) if written.isdigit() else self.numbers.get(written)

    def xsd_duration(self, number: int, unit: str) -> str:
        """4, 'month' -> 'P4M'; 2, 'week' -> 'P14D' (xsd:duration has no weeks)."""
        template = self.durations[unit.lower().removesuffix("s")]
        return re.sub(r"\{(\d*)n\}", lambda m: str(int(m[1] or 1) * number), template)


def _words(pattern: str) -> str:
    """A lexicon pattern as a regex on whole words, any spacing between them."""
    return r"(?<![\w-])(?:" + pattern.replace(" ", r"\s+") + r")(?![\w-])"


def inflections(verb: str) -> list[str]:
    """detain -> detain, detains, detained, detaining; die -> dies, died, dying."""
    if verb.endswith("ie"):
        return [verb, verb + "s", verb + "d", verb[:-2] + "ying"]
    if verb.endswith("ee"):
        return [verb, verb + "s", verb + "d", verb + "ing"]
    if verb.endswith("e"):
        return [verb, verb + "s", verb + "d", verb[:-1] + "ing"]
    return [verb, verb + "s", verb + "ed", verb + "ing"]


@cache
def load_lexicon(path: Path = EVENT_LEXICON) -> Lexicon:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    numbers = {str(word).lower(): int(value) for word, value in raw["numbers"].items()}
    number = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:-\d+)?|" + "|".join(map(re.escape, numbers)) + ")"
    units = "|".join(map(re.escape, raw["durations"]))
    duration = rf"(?P<number>{number})(?:-|\s+)(?P<unit>(?:{units})s?)"
    placeholders = {"{duration}": duration, "{number}": number}

    def compile_pattern(pattern: str) -> re.Pattern[str]:
        for placeholder, regex in placeholders.items():
            pattern = pattern.replace(placeholder, regex)
        return re.compile(_words(pattern), re.IGNORECASE)

    classes, triggers = {}, []
    for name, spec in raw["classes"].items():
        event_class = EventClass(
            name=name,
            affected=tuple(spec.get("affected", ())),
            agent=tuple(spec.get("agent", ())),
            participant=tuple(spec.get("participant", ())),
            has_duration=bool(spec.get("duration")),
            counts=bool(spec.get("counts")),
            subject_affected=bool(spec.get("subject_affected")),
            restated=bool(spec.get("restated")),
        )
        classes[name] = event_class
        verbs = [form for verb in spec.get("verbs", ()) for form in inflections(verb)]
        if verbs:
            triggers.append(Trigger(event_class, "verb", compile_pattern("|".join(verbs))))
        for kind in ("phrases", "nouns"):
            for pattern in spec.get(kind, ()):
                triggers.append(Trigger(event_class, kind[:-1], compile_pattern(pattern)))

    people = "|".join(raw["people"])
    return Lexicon(
        classes=classes,
        triggers=tuple(triggers),
        status={
            status: re.compile(_words("|".join(cues)), re.IGNORECASE)
            for status, cues in raw["status"].items()
        },
        refer_back=frozenset(raw["refer_back"]),
        new_event=frozenset(raw["new_event"]),
        negations=frozenset(raw["negations"]),
        hypothetical=re.compile(_words("|".join(raw["hypothetical"])), re.IGNORECASE),
        not_events=re.compile(_words("|".join(raw["not_events"])), re.IGNORECASE),
        count=re.compile(
            _words(rf"(?P<number>{number})(?: thousand)? (?:[\w-]+ ){{0,2}}?(?:{people})"),
            re.IGNORECASE,
        ),
        duration=re.compile(_words(duration), re.IGNORECASE),
        numbers=numbers,
        number_pattern=number,
        durations=dict(raw["durations"]),
    )
