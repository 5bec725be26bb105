"""The rule that joins event reports into incidents, and the chains of a case: which
reports of several digests tell one happening (`join`), and which incidents of one
person's case follow one another (`case_links`). Plain objects in, plain objects out;
loader/store/consolidate.py reads the reports from the store and writes the incidents.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import pyoxigraph as ox

from voxgraph import iris
from voxgraph.iris import VOX

WINDOW = timedelta(days=21)
DATE_TOLERANCE = timedelta(days=1)
# The stages of a case, in the order they follow one another (vox:nextInCase).
CASE_STAGES = {
    str(VOX[name]): rank
    for rank, name in enumerate(
        ["Investigation", "Arrest", "Charge", "Sentencing", "CourtDecision", "Release"]
    )
}
CONCERNS = (VOX.affected, VOX.participant)
_PLANNED = str(VOX.Planned)


# -- the joining rule ------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """One vox:Event as consolidation sees it."""

    iri: str
    event_class: str
    digest: str
    reported: date  # the digest's date
    date: date | None = None  # the stated vox:date (the earliest, if several)
    status: str | None = None
    roles: frozenset[tuple[str, str]] = frozenset()  # (property IRI, actor IRI)

    def actors(self, prop: ox.NamedNode | str) -> frozenset[str]:
        return frozenset(actor for role, actor in self.roles if role == str(prop))

    @property
    def concerns(self) -> frozenset[str]:
        """The people and organisations it is about: affected and participants."""
        return frozenset(actor for role, actor in self.roles if role in _CONCERN_IRIS)

    @property
    def group(self) -> tuple[str, frozenset[str]]:
        """Reports can join only within a group: one class, one named set."""
        return self.event_class, self.concerns

    def days(self) -> tuple[datetime.date, datetime.date]:  # `date` is the field here
        """The days on which the happening can have taken place, by this report."""
        if self.date is not None:
            return self.date - DATE_TOLERANCE, self.date + DATE_TOLERANCE
        if self.status == _PLANNED:
            return self.reported, self.reported + WINDOW
        return self.reported - WINDOW, self.reported


_CONCERN_IRIS = {str(p) for p in CONCERNS}
CONCERN_NAMES = ("vox:affected", "vox:participant")


@dataclass
class Incident:
    """Reports of one happening; the first one names it."""

    reports: list[Report]
    earliest: date  # the days all its reports allow
    latest: date

    @classmethod
    def founded_by(cls, report: Report) -> Incident:
        return cls([report], *report.days())

    @property
    def iri(self) -> str:
        return str(iris.incident_iri(self.reports[0].iri))

    @property
    def event_class(self) -> str:
        return self.reports[0].event_class

    def accepts(self, report: Report) -> bool:
        """The joining rule for a report of the same group (see the module's docstring)."""
        if not report.concerns or any(r.digest == report.digest for r in self.reports):
            return False
        first, last = report.days()
        return max(first, self.earliest) <= min(last, self.latest)

    def add(self, report: Report) -> None:
        first, last = report.days()
        self.reports.append(report)
        self.earliest, self.latest = max(first, self.earliest), min(last, self.latest)

    def actors(self, prop: ox.NamedNode | str) -> set[str]:
        return {actor for r in self.reports for actor in r.actors(prop)}

    @property
    def date(self) -> date | None:
        """The day its reports state, if those that state one agree."""
        stated = {r.date for r in self.reports if r.date is not None}
        return stated.pop() if len(stated) == 1 else None

    @property
    def digests(self) -> set[str]:
        return {r.digest for r in self.reports}

    def step(self) -> CaseStep:
        return CaseStep(
            self.iri,
            self.event_class,
            frozenset(self.actors(VOX.affected)),
            frozenset(self.digests),
            self.date,
            min(r.reported for r in self.reports),
        )


def in_order(reports: Iterable[Report]) -> list[Report]:
    return sorted(reports, key=lambda r: (r.reported, r.iri))


def join(reports: Iterable[Report]) -> list[Incident]:
    """The incidents that `reports` make, each report in exactly one (the joining rule).

    The result depends on the set of reports only: they are taken by digest date, then
    IRI, and each joins the first incident of its group it fits, or founds one.
    """
    incidents: list[Incident] = []
    open_by_group: dict[tuple[str, frozenset[str]], list[Incident]] = defaultdict(list)
    for report in in_order(reports):
        candidates = open_by_group[report.group] if report.concerns else []
        target = next((i for i in candidates if i.accepts(report)), None)
        if target is None:
            target = Incident.founded_by(report)
            candidates.append(target)
            incidents.append(target)
        else:
            target.add(report)
    return incidents


# -- chains of a case ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseStep:
    """An incident as the case chains see it."""

    iri: str
    event_class: str
    affected: frozenset[str]
    digests: frozenset[str]
    date: date | None
    first_reported: datetime.date  # `date` names the field above from here on


def case_links(steps: Iterable[CaseStep], people: set[str] | None = None) -> set[tuple[str, str]]:
    """(earlier, later) incident pairs of one person's case that a digest reports together.

    For each person (of `people`, or everyone), their incidents of the case classes
    (CASE_STAGES) are put in the order of the stages, then by date; each is linked to the
    next one that some digest reports together with it: the text tells them as one story.
    """
    by_person: dict[str, list[CaseStep]] = defaultdict(list)
    for step in steps:
        if step.event_class in CASE_STAGES:
            for person in step.affected:
                if people is None or person in people:
                    by_person[person].append(step)
    links: set[tuple[str, str]] = set()
    for case in by_person.values():
        ordered = sorted(
            set(case),
            key=lambda s: (CASE_STAGES[s.event_class], s.date or s.first_reported, s.iri),
        )
        for index, step in enumerate(ordered):
            later = (s for s in ordered[index + 1 :] if s.digests & step.digests)
            following = next(later, None)
            if following is not None:
                links.add((step.iri, following.iri))
    return links
