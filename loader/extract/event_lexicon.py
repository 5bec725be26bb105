"""The event lexicon (mappings/events.yaml): lemmas per event class, as lookups.

The file is data a curator extends: verb and noun lemmas per class, frames
whose class depends on the verb's object, the actor types each role takes,
status words, number words and units of time. This module only indexes it by
lemma; `loader.extract.events` decides what a word means in its parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from spacy.tokens import Token

from voxgraph.paths import MAPPINGS

EVENT_LEXICON = MAPPINGS / "events.yaml"


@dataclass(frozen=True)
class EventClass:
    name: str
    affected: tuple[str, ...]
    agent: tuple[str, ...]
    participant: tuple[str, ...]
    subject: str  # the role of an intransitive or light verb's subject
    has_duration: bool
    counts: bool
    restated: bool
    requires_affected: bool
    reported_alleged: bool
    of_affected: bool
    official: bool
    targets: frozenset[str]
    on_person: frozenset[str]  # verbs that report it only when done to people
    undergone: frozenset[str]  # nouns that report it only when undergone or aimed at someone


@dataclass(frozen=True)
class Noun:
    """A noun entry: its head lemma, the words that must modify it, and the
    lemma of its of-phrase ("state of emergency")."""

    event_class: EventClass
    head: str
    modifiers: frozenset[str]
    of: str | None

    @property
    def weight(self) -> int:
        return len(self.modifiers) + (self.of is not None)


@dataclass(frozen=True)
class Frame:
    verbs: frozenset[str]
    objects: frozenset[str]
    event_class: EventClass | None  # None: the verb reports no event with this object
    direct: bool = False  # only the object or passive subject counts, no prepositional noun


@dataclass(frozen=True)
class Rulings:
    """Verbs of deciding that, with a court as subject and a clause, report `event_class`."""

    verbs: frozenset[str]
    subjects: frozenset[str]
    event_class: EventClass


@dataclass(frozen=True)
class Lexicon:
    classes: dict[str, EventClass]
    verbs: dict[str, EventClass]
    passive_verbs: dict[str, EventClass]
    nouns: dict[str, tuple[Noun, ...]]  # head lemma -> entries, longest first
    frames: tuple[Frame, ...]
    negated: dict[str, EventClass]
    rulings: Rulings
    # "the next day" -> (1, True): days after the event told before, and whether that
    # may be anywhere before in the digest (else only in the same paragraph)
    relative_days: dict[str, tuple[int, bool]]
    restating: frozenset[str]
    undergo: frozenset[str]
    measures: frozenset[str]
    hypothetical: frozenset[str]
    topic: frozenset[str]
    status: dict[str, frozenset[str]]  # "Planned"/"Alleged" -> its words
    speech: frozenset[str]
    reaction: frozenset[str]
    undertake: frozenset[str]
    witness: frozenset[str]
    refer_back: frozenset[str]
    people: frozenset[str]
    kin: frozenset[str]
    kin_pairs: frozenset[tuple[str, str]]  # ("mother", "son"): X's mother calls X her son
    numbers: dict[str, int]
    durations: dict[str, str]  # unit -> xsd:duration template
    verb_forms: dict[str, str]  # "fined" -> "fine": regular forms of the lexicon's verbs
    pronouns: dict[str, str]  # "she" -> "female"
    name_endings: dict[str, dict[str, tuple[str, ...]]]  # sex -> surname/given -> endings

    def sex(self, name: str) -> str | None:
        """'Zamira Alakbarova' -> 'female', 'Tural Guliyev' -> 'male', 'Orkhan Sultanli' -> None."""
        words = name.lower().split()
        if len(words) < 2:
            return None
        for sex, endings in self.name_endings.items():
            if words[-1].endswith(endings.get("surname", ())) or words[0].endswith(
                endings.get("given", ())
            ):
                return sex
        return None

    def verb_lemma(self, token: Token) -> str:
        """The token's lemma, or the lexicon verb it is a regular form of where the
        lemmatiser slipped ("fined" -> "fin")."""
        lemma = token.lemma_.lower()
        if lemma in self.verbs or lemma in self.passive_verbs or lemma in self.negated:
            return lemma
        return self.verb_forms.get(token.lower_, lemma)

    def relative_day(self, text: str) -> tuple[int, int, int, bool] | None:
        """The first phrase of `text` that dates it by the event told before, as its
        start and end in `text`, the days after that event and whether that may be
        anywhere before in the digest ("released in the evening" -> 13, 27, 0, False)."""
        match = _relative_day_pattern(tuple(self.relative_days)).search(text)
        if match is None:
            return None
        return match.start(), match.end(), *self.relative_days[match[0].lower()]

    def number(self, written: str) -> int | None:
        """'twelve' -> 12, '5,000' -> 5000, '25-30' -> 25 (the lower bound)."""
        written = written.lower().split("-")[0].replace(",", "").strip()
        return int(written) if written.isdigit() else self.numbers.get(written)

    def xsd_duration(self, number: int, unit: str) -> str:
        """4, 'month' -> 'P4M'; 2, 'week' -> 'P14D' (xsd:duration has no weeks)."""
        template = self.durations[unit.lower().removesuffix("s")]
        return re.sub(r"\{(\d*)n\}", lambda m: str(int(m[1] or 1) * number), template)


@cache
def _relative_day_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    longest_first = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b", re.I)


def _forms(verb: str) -> set[str]:
    """The regular forms of a verb: 'fine' -> fines, fined, fining; 'ban' -> banned."""
    stem = verb[:-1] if verb.endswith("e") and not verb.endswith("ee") else verb
    if re.fullmatch(r"[^aeiou]*[aeiou][bdglmnprt]", verb):  # one syllable, short vowel
        stem = verb + verb[-1]
    plural = verb + "es" if verb.endswith(("s", "sh", "ch", "x", "z")) else verb + "s"
    past = verb + "d" if verb.endswith("ee") else stem + "ed"
    return {verb, plural, past, (verb if verb.endswith("ee") else stem) + "ing"}


def _noun(event_class: EventClass, entry: str) -> Noun:
    """'hunger strike' -> head strike, modifier hunger; 'state of emergency' ->
    head state, of emergency; 'ill-treatment' -> head treatment, modifier ill."""
    head, _, of = entry.partition(" of ")
    words = re.split(r"[\s-]+", head.strip())
    return Noun(event_class, words[-1], frozenset(words[:-1]), of.strip() or None)


@cache
def load_lexicon(path: Path = EVENT_LEXICON) -> Lexicon:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    classes: dict[str, EventClass] = {}
    verbs: dict[str, EventClass] = {}
    passive_verbs: dict[str, EventClass] = {}
    nouns: dict[str, list[Noun]] = {}
    for name, spec in raw["classes"].items():
        event_class = EventClass(
            name=name,
            affected=tuple(spec.get("affected", ())),
            agent=tuple(spec.get("agent", ())),
            participant=tuple(spec.get("participant", ())),
            subject=spec.get("subject", "agent"),
            has_duration=bool(spec.get("duration")),
            counts=bool(spec.get("counts")),
            restated=bool(spec.get("restated")),
            requires_affected=bool(spec.get("requires_affected")),
            reported_alleged=bool(spec.get("reported_alleged")),
            of_affected=spec.get("of") == "affected",
            official=bool(spec.get("official")),
            targets=frozenset(spec.get("targets", ())),
            on_person=frozenset(spec.get("on_person", ())),
            undergone=frozenset(spec.get("undergone", ())),
        )
        classes[name] = event_class
        verbs.update(dict.fromkeys(spec.get("verbs", ()), event_class))
        passive_verbs.update(dict.fromkeys(spec.get("passive", ()), event_class))
        for entry in spec.get("nouns", ()):
            noun = _noun(event_class, entry)
            nouns.setdefault(noun.head, []).append(noun)
    frames = tuple(
        Frame(
            frozenset(f["verbs"]),
            frozenset(f["objects"]),
            classes[f["class"]] if f["class"] else None,
            bool(f.get("direct")),
        )
        for f in raw["frames"]
    )
    return Lexicon(
        classes=classes,
        verbs=verbs,
        passive_verbs=passive_verbs,
        nouns={h: tuple(sorted(n, key=lambda x: -x.weight)) for h, n in nouns.items()},
        frames=frames,
        negated={verb: classes[name] for verb, name in raw["negated"].items()},
        rulings=Rulings(
            frozenset(raw["rulings"]["verbs"]),
            frozenset(raw["rulings"]["subjects"]),
            classes[raw["rulings"]["class"]],
        ),
        restating=frozenset(raw["restating"]),
        relative_days={
            phrase: (int(days), reach == "told_before")
            for reach, phrases in raw["relative_days"].items()
            for phrase, days in phrases.items()
        },
        undergo=frozenset(raw["undergo"]),
        measures=frozenset(raw["measures"]),
        hypothetical=frozenset(raw["hypothetical"]),
        topic=frozenset(raw["topic"]),
        status={status: frozenset(spec["words"]) for status, spec in raw["status"].items()},
        speech=frozenset(raw["speech"]),
        reaction=frozenset(raw["reaction"]),
        undertake=frozenset(raw["undertake"]),
        witness=frozenset(raw["witness"]),
        refer_back=frozenset(raw["refer_back"]),
        people=frozenset(raw["people"]),
        kin=frozenset(raw["kin"]),
        kin_pairs=frozenset((a, b) for a, b in raw["kin_pairs"]),
        numbers={str(word).lower(): int(value) for word, value in raw["numbers"].items()},
        durations=dict(raw["durations"]),
        pronouns={word: sex for sex, words in raw["pronouns"].items() for word in words},
        name_endings={
            sex: {part: tuple(endings) for part, endings in parts.items()}
            for sex, parts in raw["name_endings"].items()
        },
        verb_forms={
            form: verb
            for verb in [*verbs, *passive_verbs, *raw["negated"]]
            for form in _forms(verb)
        },
    )
