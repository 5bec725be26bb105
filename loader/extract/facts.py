"""What the extractors find in a digest, before it becomes RDF.

Extractors (`loader.extract.actors`, `loader.extract.statements`, `loader.extract.events`) read a
parsed `Digest` and return these plain objects, each carrying the spans of
text it came from; `loader.map` turns them into triples. Keeping the two apart
lets the extraction be tested on text alone and the RDF shape in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from voxgraph.loader.read.digest import Span


@dataclass(frozen=True)
class Actor:
    """An actor or place, known from the registry or recognised in the text."""

    key: str  # slug: the last segment of its IRI
    label: str
    type: str  # a vox: class name: Person, PoliticalParty, ..., Country, Place
    in_registry: bool = False

    @property
    def is_place(self) -> bool:
        return self.type == "Place"


@dataclass(frozen=True)
class Mention:
    actor: Actor
    span: Span
    surface: str  # the words as written


@dataclass(frozen=True)
class RoleClaim:
    """A role the text states for a person: 'Chairperson of APFP Ali Karimli'."""

    actor: Actor
    title: str
    organization: Actor | None
    span: Span


@dataclass
class Statement:
    speaker: Actor
    evidence: list[Span]
    quote: str | None = None
    quote_span: Span | None = None
    paraphrase: str | None = None
    paraphrase_span: Span | None = None
    medium: str | None = None  # a concept of vox:MediaScheme, e.g. "FacebookPost"
    mentions: list[Actor] = field(default_factory=list)

    @property
    def begin(self) -> int:
        return min(span.begin for span in self.evidence)


@dataclass
class Event:
    type: str  # a vox: event class name: Arrest, Sentencing, ...
    evidence: list[Span]
    agent: list[Actor] = field(default_factory=list)
    affected: list[Actor] = field(default_factory=list)
    participant: list[Actor] = field(default_factory=list)
    place: list[Actor] = field(default_factory=list)
    date: date | None = None
    status: str = "Occurred"  # Occurred, Planned or Alleged
    quantity: int | None = None
    duration: str | None = None  # xsd:duration, e.g. "P30D"

    @property
    def begin(self) -> int:
        return min(span.begin for span in self.evidence)
