"""A synthetic corpus in the house style, for benchmarks: `voxgraph generate`.

Each synthetic digest is made from one bundled digest (corpus/*.txt), its
*base*:

- its date is new: digest i of a corpus is dated `start + i days`, so every
  digest has its own date (and so its own IRIs and named graph);
- its sections keep their headings, but about a quarter of their paragraphs
  are swapped for paragraphs of other bundled digests, and the paragraphs of
  each section are shuffled;
- in a paragraph without quotation marks the sentences after the first are
  shuffled (the first usually introduces who the paragraph is about, and a
  quotation can run over several sentences, so those are left alone);
- the people are renamed: every word of a person's name, as the mapper finds
  it in the bundled digests, gets a name from voxgraph/synthetic_names.yaml,
  given names from the first list and surnames from the second, the same
  within a digest ("Ali Karimli" ... "Karimli’s post" stays one person) and
  chosen afresh for each digest.

So the digests are distinct, parse, map to graphs of the bundled digests'
size and pass the shapes, while the people they name vary across the corpus
as they would over years of a real series. Digest i depends only on the seed
and i (not on N), and the same seed gives byte-identical files.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from voxgraph.loader.extract.actors import find_mentions, outermost, spelling_key
from voxgraph.loader.extract.cues import load_cues
from voxgraph.loader.read.digest import Digest
from voxgraph.loader.read.parse import read_digest
from voxgraph.loader.registry import Registry
from voxgraph.paths import CORPUS

NAMES = Path(__file__).with_name("synthetic_names.yaml")
# A word: letters, with digits and hyphens inside ("Nagorno-Karabakh"), never
# an apostrophe, so that "Karimli’s" is the word "Karimli".
WORD = re.compile(r"[^\W\d_](?:[\w-]*[^\W_])?")
DEFAULT_START = date(2030, 1, 1)
SWAP_SHARE = 0.25  # share of a section's paragraphs replaced by other digests' paragraphs
QUOTE_MARKS = '“”"'


@dataclass(frozen=True)
class Template:
    """What a bundled digest lends to synthetic ones."""

    publisher: str
    pull_quote: str | None
    sections: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, paragraph texts)


@dataclass(frozen=True)
class Sources:
    """The bundled digests, and the words of people's names found in them."""

    templates: tuple[Template, ...]
    paragraphs: tuple[str, ...]  # every paragraph of every template
    given: frozenset[str]  # spelling keys of given names (and middle names)
    family: frozenset[str]  # spelling keys of surnames
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]


def load_sources(corpus: Path = CORPUS, names: Path = NAMES) -> Sources:
    """Read the bundled digests and the name lists; find the people's names."""
    registry = Registry.load()
    digests = [read_digest(path) for path in sorted(corpus.glob("*.txt"))]
    if not digests:
        raise ValueError(f"no digests in {corpus} to make a synthetic corpus from")
    given: set[str] = set()
    family: set[str] = set()
    for digest in digests:
        for words in _person_names(digest, registry):
            family.add(words[-1])
            given.update(words[:-1])
    given -= family  # a word met as a surname is renamed as one
    lists = yaml.safe_load(names.read_text(encoding="utf-8"))
    taken = {spelling_key(w) for e in registry.entries for n in e.names for w in n.split()}
    first = tuple(n for n in lists["first_names"] if spelling_key(n) not in taken | given | family)
    last = tuple(n for n in lists["surnames"] if spelling_key(n) not in taken | given | family)
    templates = tuple(_template(d) for d in digests)
    paragraphs = tuple(p for t in templates for _, ps in t.sections for p in ps)
    return Sources(templates, paragraphs, frozenset(given), frozenset(family), first, last)


def _person_names(digest: Digest, registry: Registry) -> Iterator[list[str]]:
    """The spelling keys of the words of each person's name the mapper finds,
    without titles ('Professor Gubad Ibadoglu')."""
    cues = load_cues()
    for mention in outermost(find_mentions(digest, registry)):
        if mention.actor.type != "Person":
            continue
        words = [
            w.group()
            for w in WORD.finditer(mention.surface)
            if w.group()[0].isupper()
            and not cues.is_role_noun(w.group())
            and w.group() not in cues.title_words
            and w.group() not in cues.function_words
        ]
        if words:
            yield [spelling_key(w) for w in words]


def _template(digest: Digest) -> Template:
    sections = tuple(
        (section.title, tuple(p.text for p in section.paragraphs)) for section in digest.sections
    )
    return Template(digest.publisher, digest.pull_quote, sections)


def synthesize(sources: Sources, index: int, day: date, seed: int) -> str:
    """The text of synthetic digest number `index`, dated `day`."""
    rng = random.Random(f"voxgraph-synthetic:{seed}:{index}")
    base = rng.choice(sources.templates)
    lines = [base.publisher]
    if base.pull_quote:
        lines.append(f"“{base.pull_quote}”")
    for heading, paragraphs in base.sections:
        chosen = [
            rng.choice(sources.paragraphs) if rng.random() < SWAP_SHARE else paragraph
            for paragraph in paragraphs
        ]
        rng.shuffle(chosen)
        if heading:
            lines.append(heading)
        lines.extend(_reorder_sentences(paragraph, rng) for paragraph in chosen)
    lines.append(f"{day:%B} {day.day}, {day.year}")
    text = "\n\n".join(lines) + "\n"
    return _rename_people(text, sources, rng)


# A sentence end: . ! ? … then a blank and a capital letter or digit.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-Z0-9])")


def _reorder_sentences(paragraph: str, rng: random.Random) -> str:
    if any(mark in paragraph for mark in QUOTE_MARKS):
        return paragraph
    first, *rest = _SENTENCE_END.split(paragraph)
    rng.shuffle(rest)
    return " ".join([first, *rest])


def _rename_people(text: str, sources: Sources, rng: random.Random) -> str:
    """Every word of a person's name -> a fictional name, one-to-one within the text."""
    found = {spelling_key(w.group()) for w in WORD.finditer(text) if w.group()[0].isupper()}
    given = sorted(found & sources.given)
    family = sorted(found & sources.family)
    if len(given) > len(sources.first_names) or len(family) > len(sources.surnames):
        raise ValueError(
            f"{NAMES.name} has too few names: {len(given)} given names and "
            f"{len(family)} surnames are needed"
        )
    renamed = dict(zip(given, rng.sample(sources.first_names, len(given)), strict=True))
    renamed |= dict(zip(family, rng.sample(sources.surnames, len(family)), strict=True))

    def replace(word: re.Match[str]) -> str:
        if not word.group()[0].isupper():
            return word.group()
        return renamed.get(spelling_key(word.group()), word.group())

    return WORD.sub(replace, text)


def generate(
    count: int,
    outdir: Path,
    *,
    seed: int = 0,
    start: date = DEFAULT_START,
    sources: Sources | None = None,
) -> list[Path]:
    """Write `count` synthetic digests to `outdir` as DATE.txt; return their paths."""
    sources = sources or cached_sources()
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        day = start + timedelta(days=index)
        path = outdir / f"{day.isoformat()}.txt"
        path.write_text(synthesize(sources, index, day, seed), encoding="utf-8")
        written.append(path)
    return written


@cache
def cached_sources() -> Sources:
    """The bundled corpus and the name lists, read once per process."""
    return load_sources()
