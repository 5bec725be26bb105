"""The linguistic analysis that the extraction rules read: one spaCy Doc per digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from voxgraph.loader.extract.nlp import MODEL_VERSION, analyse, pipeline
from voxgraph.loader.read.parse import read_digest

CORPUS = sorted(Path(__file__).resolve().parent.parent.joinpath("corpus").glob("*.txt"))


def test_the_pinned_model_is_the_one_loaded() -> None:
    nlp = pipeline()
    assert nlp.meta["version"] == MODEL_VERSION, "the spaCy model is not the pinned release"
    for component in ("tagger", "parser", "lemmatizer", "ner"):
        assert component in nlp.pipe_names, f"the model has no {component}"


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_tokens_point_into_the_digest_text(path: Path) -> None:
    digest = read_digest(path)
    doc = analyse(digest)
    for token in doc:
        assert digest.text[token.idx : token.idx + len(token)] == token.text, (
            f"token {token.i} ({token.text!r}) is not at offset {token.idx} of the digest"
        )


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_every_digest_sentence_is_a_sentence_of_the_analysis(path: Path) -> None:
    digest = read_digest(path)
    starts = {sentence.start_char for sentence in analyse(digest).sents}
    for paragraph in digest.paragraphs():
        for sentence in paragraph.sentences:
            assert sentence.span.begin in starts, (
                f"{path.name}: the sentence {sentence.text[:60]!r} does not start a spaCy sentence"
            )


def test_a_sentence_is_parsed_with_lemmas_and_dependencies() -> None:
    digest = read_digest(CORPUS[2])
    doc = analyse(digest)
    said = [t for t in doc if t.lemma_ == "say" and t.pos_ == "VERB"]
    assert said, "no form of 'say' was lemmatised as the verb 'say'"
    assert any(child.dep_ == "nsubj" for t in said for child in t.children), (
        "no 'say' has a subject in the dependency parse"
    )
