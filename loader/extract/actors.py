"""Find the actors and places a digest names, and the roles it states for them.

`find_mentions` runs three passes, each in a module of its own:

1. registry names (`registry_names`): every name and alias of the curated
   registry, leftmost-longest;
2. names in no registry: people from runs of capitalised words that the parse
   makes a name, with the series' own habits (`names`), and organisations by
   the head noun of their name (`organisations`);
3. short references (`references`): a bare surname or given name, or a title
   before a surname ("President Aliyev"), resolved within the digest.

Spellings that differ only by transliteration (Ibadoglu, Ibadoghlu,
İbadoğlu) or by a middle name name one person. An actor in no registry is
keyed by the slug of its fullest name in the digest, so that it gets the same
IRI in every digest that names it so. Roles are found by `roles.find_roles`.
"""

from __future__ import annotations

from spacy.tokens import Doc

from voxgraph.loader.extract.facts import Mention
from voxgraph.loader.extract.names import described_bodies, governments, new_people
from voxgraph.loader.extract.nlp import analyse
from voxgraph.loader.extract.organisations import abbreviations, merge_variants, new_organizations
from voxgraph.loader.extract.references import described, short_references
from voxgraph.loader.extract.registry_names import outermost, registry_mentions, spelling_key
from voxgraph.loader.extract.roles import find_roles
from voxgraph.loader.extract.words import name_words
from voxgraph.loader.read.digest import Digest
from voxgraph.loader.registry import Registry

__all__ = ["described", "find_mentions", "find_roles", "outermost", "spelling_key"]


def find_mentions(digest: Digest, registry: Registry, doc: Doc | None = None) -> list[Mention]:
    """Every actor and place the digest names, in text order. `doc` is the
    digest's analysis (loader/extract/nlp.py), made here if not given."""
    doc = doc if doc is not None else analyse(digest)
    words = name_words(doc)
    full = registry_mentions(doc, registry)
    # Headings are titles, not prose: no cue there introduces anyone.
    headings = [s.title_span for s in digest.sections]
    full += new_people(doc, words, [m.span for m in full] + headings, registry)
    places = [m.span for m in full if m.actor.type in ("Place", "Country")]
    bodies = [m.span for m in full if m.actor.type not in ("Person", "Place", "Country")]
    organizations, swallowed = new_organizations(
        doc, words, [m.span for m in full] + headings, places, bodies
    )
    full = [m for m in full if m.span not in swallowed] + organizations
    full += described_bodies(doc, [m.span for m in full], full)
    full += governments(doc, [m.span for m in full], registry)
    full = merge_variants(full, registry)
    full += abbreviations(doc.text, full)
    full += short_references(doc, words, full, registry)
    return sorted(full, key=lambda m: m.span.begin)
