"""Step 2: a parsed `Digest` -> the facts it states (actors, roles, statements, events).

`extract(digest, registry)` is the one entry point: the mapper (loader/map/graph.py)
and `voxgraph evaluate` (loader/evaluate/scores.py) both call it, so what is scored is
what is stored. The linguistic analysis (loader/extract/nlp.py) is made once
per digest and shared by every rule; mentions and roles are found once and
handed to the statement and event rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from voxgraph.loader.extract.actors import find_mentions, find_roles
from voxgraph.loader.extract.events import find_events
from voxgraph.loader.extract.facts import Event, Mention, RoleClaim, Statement
from voxgraph.loader.extract.nlp import analyse
from voxgraph.loader.extract.statements import find_statements
from voxgraph.loader.read.digest import Digest
from voxgraph.loader.registry import Registry


@dataclass
class Facts:
    """Everything extraction found in one digest, each fact with its spans."""

    mentions: list[Mention]
    roles: list[RoleClaim]
    statements: list[Statement]
    events: list[Event]


def extract(digest: Digest, registry: Registry) -> Facts:
    """The facts of `digest`, with actors resolved against `registry`."""
    doc = analyse(digest)
    mentions = find_mentions(digest, registry, doc)
    roles = find_roles(digest, mentions, doc)
    return Facts(
        mentions=mentions,
        roles=roles,
        statements=find_statements(digest, mentions, doc, roles),
        events=find_events(digest, mentions, doc),
    )
