"""The digest parser: structure, offsets, the variants the publisher uses, and errors."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxgraph.loader.read.digest import Digest, DigestError, Span
from voxgraph.loader.read.parse import parse_digest, read_digest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "digests"
PUBLISHER = "Center for National and International Studies"


def pieces(digest: Digest) -> Iterator[tuple[str, Span, str]]:
    """Every (what, span, text) the digest claims, for checking offsets."""
    if digest.publisher_span is not None:  # None: no publisher line, the series' assumed
        yield "publisher", digest.publisher_span, digest.publisher
    if digest.series is not None:
        assert digest.series_span is not None
        yield "series", digest.series_span, digest.series
    if digest.pull_quote is not None:
        assert digest.pull_quote_span is not None
        yield "pull quote", digest.pull_quote_span, digest.pull_quote
    for section in digest.sections:
        yield f"title of section {section.position}", section.title_span, section.title
        for p in section.paragraphs:
            yield f"paragraph at line {digest.line_of(p.span.begin)}", p.span, p.text
            for s in p.sentences:
                yield f"sentence at line {digest.line_of(s.span.begin)}", s.span, s.text


def assert_offsets(digest: Digest) -> None:
    """text[span] is the piece; pieces are trimmed; sentences lie in order inside paragraphs."""
    text = digest.text
    for what, span, piece in pieces(digest):
        found = text[span.begin : span.end]
        assert found == piece, f"{digest.source}: {what}: {span} holds {found!r}, not {piece!r}"
        assert piece == piece.strip(), f"{digest.source}: {what} is not trimmed: {piece!r}"
    if digest.date_span is not None:  # None: no date line, the file name's assumed
        assert str(digest.date.year) in text[digest.date_span.begin : digest.date_span.end]
    assert [s.position for s in digest.sections] == list(range(1, len(digest.sections) + 1))
    for p in digest.paragraphs():
        ends = [p.span.begin] + [x for s in p.sentences for x in (s.span.begin, s.span.end)]
        assert ends == sorted(ends) and ends[-1] <= p.span.end, (
            f"{digest.source}: sentences of the paragraph at line "
            f"{digest.line_of(p.span.begin)} overlap or leave it"
        )


def titles(digest: Digest) -> list[str]:
    return [s.title for s in digest.sections]


def sentences_of(digest: Digest, paragraph_start: str) -> list[str]:
    """The sentences of the one paragraph that starts with `paragraph_start`."""
    [paragraph] = [p for p in digest.paragraphs() if p.text.startswith(paragraph_start)]
    return [s.text for s in paragraph.sentences]


def wrap(body: str, top: str = "") -> str:
    """A digest in the house style around a body of headings and paragraphs."""
    return f"{PUBLISHER}\n\n{top}\n\n{body}\n\nNovember 4, 2022\n"


# --- the five real digests

CORPUS_CASES = {
    "2022-11-04.txt": (
        date(2022, 11, 4),
        "We will know the real results of the Sochi meetings in the next two months, "
        "especially if the peace agreement is signed...",
        ["(Lack of) Human Rights and Liberties", "Governance and Corruption", "Sochi meetings"],
        [2, 7, 6],
    ),
    "2022-11-08.txt": (
        date(2022, 11, 8),
        "The Russian “peacekeepers”, whom Ilham Aliyev thanked at every opportunity, "
        "are preparing some provocation, not peace, in Karabakh...",
        [
            "Opposition Party announces new rallies",
            "Next Peace talks between Armenia and Azerbaijan",
            "Anti-Russian statements on Azerbaijani state TV",
        ],
        [4, 3, 3],
    ),
    "2023-09-22.txt": (
        date(2023, 9, 22),
        "The arrest of activists continued in Baku during the military operation in Karabakh…",
        ["(Lack of ) Human Rights and Freedoms", "Azerbaijan’s military operation in Karabakh"],
        [6, 9],
    ),
    "2023-09-26.txt": (
        date(2023, 9, 26),
        "Given the substantial number of prisoners subjected to torture and the conditions of "
        "their detention, activists and human rights advocates are expressing concerns about "
        "the well-being of incarcerated activists…",
        ["(Lack of ) Human Rights and Freedoms", "The Situation in Karabakh"],
        [4, 7],
    ),
    "2023-10-03.txt": (
        date(2023, 10, 3),
        "One of the most important responses to the groundless “ethnic cleansing” accusations "
        "made by the Armenians should be to urgently enhance the human rights records of the "
        "country…",
        ["(Lack of ) Human Rights and Freedoms", "The Situation in Karabakh"],
        [5, 5],
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
def test_corpus_digest_structure(name: str) -> None:
    published, quote, section_titles, paragraph_counts = CORPUS_CASES[name]
    digest = read_digest(CORPUS / name)

    assert digest.source == name
    assert digest.publisher == PUBLISHER
    assert digest.date == published
    assert digest.series is None
    assert digest.pull_quote == quote
    assert titles(digest) == section_titles
    assert [len(s.paragraphs) for s in digest.sections] == paragraph_counts
    assert all(p.sentences for p in digest.paragraphs()), "every paragraph has sentences"


@pytest.mark.parametrize("name", sorted(CORPUS_CASES))
def test_corpus_every_span_points_at_its_text(name: str) -> None:
    assert_offsets(read_digest(CORPUS / name))


def test_corpus_file_has_been_read_unchanged() -> None:
    path = CORPUS / "2022-11-04.txt"
    assert read_digest(path).text == path.read_text(encoding="utf-8")


def test_date_is_the_last_line_even_without_final_newline() -> None:
    digest = read_digest(CORPUS / "2022-11-04.txt")
    assert digest.text.endswith("November 4, 2022")
    assert digest.text[digest.date_span.begin :] == "November 4, 2022"


def test_pull_quote_span_excludes_the_quote_marks() -> None:
    digest = read_digest(CORPUS / "2022-11-08.txt")
    span = digest.pull_quote_span
    assert span is not None
    assert digest.text[span.begin - 1] == "“" and digest.text[span.end] == "”"


def test_paragraph_drops_trailing_no_break_space() -> None:
    digest = read_digest(CORPUS / "2023-10-03.txt")
    [paragraph] = [p for p in digest.paragraphs() if p.text.startswith("According to Azadliq")]
    assert paragraph.text.endswith("possess artillery devices.")
    assert digest.text[paragraph.span.end] == "\u00a0"


# --- sentences


def test_sentences_split_after_dc_but_not_inside_un() -> None:
    digest = read_digest(CORPUS / "2022-11-08.txt")
    assert sentences_of(digest, "The next meeting")[:2] == [
        "The next meeting of the foreign ministers of Azerbaijan and Armenia is expected to be "
        "held in Washington, DC.",
        "This time, US Secretary of State Blinken will mediate the meeting.",
    ]
    digest = read_digest(CORPUS / "2023-09-22.txt")
    assert sentences_of(digest, "At the request")[0] == (
        "At the request of France, the U.N. Security Council has scheduled a meeting on "
        "Nagorno-Karabakh for Thursday."
    )


def test_sentence_ending_inside_a_quotation_keeps_the_closing_mark() -> None:
    digest = read_digest(CORPUS / "2023-09-22.txt")
    first, second, _ = sentences_of(digest, "Access to the social media platform")
    assert first.endswith("or share content on “TikTok.”")
    assert second.startswith("No official announcement")


def test_sentences_of_a_multi_sentence_quotation() -> None:
    digest = read_digest(CORPUS / "2022-11-04.txt")
    sentences = sentences_of(digest, "Journalist Seymur Hezi said that Sochi")
    assert (
        sentences[1]
        == "Hezi wrote: “The Sochi talks are fully in line with the objectives of the Moscow."
    )
    assert sentences[-1] == "That is the main question.”"


def test_abbreviations_initials_and_numbers_do_not_end_sentences() -> None:
    digest = read_digest(FIXTURES / "top-date-series.txt")
    assert sentences_of(digest, "Journalist Elvin") == [
        "Journalist Elvin Mammadli was sentenced to nine years in prison by the Baku Grave "
        "Crimes Court.",
        "His lawyer said that the U.S. Embassy and the U.N. Human Rights Office had been informed.",
        "Dr. Leyla Hasanova, who lives in exile, wrote: “This verdict is a message to all of us.”",
        "The court also fined him 2.5 thousand manats under Article No. 5 of the code.",
    ]
    assert sentences_of(digest, "Activist N. A.") == [
        "Activist N. A. Guliyev was detained in Sumgayit.",
        "The police said that he would be held for 30 days.",
    ]


def test_sentence_does_not_end_before_a_lowercase_word() -> None:
    digest = parse_digest(wrap("Topic\n\nThey asked: “Why?” he said. It was late."), "t.txt")
    assert sentences_of(digest, "They asked") == ["They asked: “Why?” he said.", "It was late."]


# --- variants of the layout


def test_date_on_top_and_series_line() -> None:
    digest = read_digest(FIXTURES / "top-date-series.txt")
    assert digest.date == date(2023, 7, 24)
    assert digest.text[digest.date_span.begin : digest.date_span.end] == "24.07.2023"
    assert digest.series == "FB Digest@VoxPOPULI"
    assert digest.pull_quote == "The authorities continue to silence critics ahead of the summit..."
    assert titles(digest) == ["(Lack of ) Human Rights and Freedoms", "Peace talks"]
    assert_offsets(digest)


@pytest.mark.parametrize(
    "line", ["November 4, 2022", "Nov 4, 2022", "4 November 2022", "04.11.2022", "2022-11-04"]
)
@pytest.mark.parametrize("at_top", [True, False])
def test_date_formats(line: str, at_top: bool) -> None:
    body = "Sochi meetings\n\nThe leaders met in Sochi."
    text = f"{PUBLISHER}\n\n{line}\n\n{body}\n" if at_top else f"{PUBLISHER}\n\n{body}\n\n{line}"
    digest = parse_digest(text, "d.txt")
    assert digest.date == date(2022, 11, 4)
    assert digest.text[digest.date_span.begin : digest.date_span.end] == line
    assert titles(digest) == ["Sochi meetings"]


def test_stray_space_in_heading_is_kept() -> None:
    digest = read_digest(CORPUS / "2023-09-22.txt")
    section = digest.sections[0]
    assert section.title == "(Lack of ) Human Rights and Freedoms"
    assert digest.text[section.title_span.begin : section.title_span.end] == section.title


def test_inline_headings_of_older_issues() -> None:
    digest = read_digest(FIXTURES / "inline-headings.txt")
    assert digest.date == date(2021, 11, 4)
    assert titles(digest) == ["Post-conflict situation", "Human rights"]
    first, second = digest.sections[0].paragraphs
    # The paragraph keeps its whole line; the title span lies inside it.
    assert first.text.startswith("Post-conflict situation. The FB community")
    assert digest.sections[0].title_span == Span(first.span.begin, first.span.begin + 23)
    assert first.sentences[0].text.startswith("The FB community discussed")
    assert second.text.startswith("Moreover, the Security Service"), "not a heading"
    assert [s.text for s in digest.sections[1].paragraphs[0].sentences][0].startswith("Activists")
    assert_offsets(digest)


def test_no_inline_headings_when_the_first_paragraph_has_none() -> None:
    body = "Tensions escalated. The army moved.\n\nHuman rights. Activists were detained."
    digest = parse_digest(wrap(body), "t.txt")
    assert titles(digest) == [""]
    assert len(digest.paragraphs()[0].sentences) == 2


def test_no_inline_headings_when_there_are_heading_lines() -> None:
    digest = parse_digest(wrap("Sochi meetings\n\nHuman rights. Activists were detained."), "t")
    assert titles(digest) == ["Sochi meetings"]


def test_pull_quote_in_straight_quotes() -> None:
    digest = read_digest(FIXTURES / "straight-quotes.txt")
    assert digest.pull_quote == (
        "We will know the real results of the Sochi meetings in the next two months..."
    )
    assert digest.date == date(2022, 11, 4)
    assert titles(digest) == ["Sochi meetings"]
    assert_offsets(digest)


def test_no_pull_quote_and_paragraphs_before_the_first_heading() -> None:
    digest = read_digest(FIXTURES / "no-pull-quote.txt")
    assert digest.pull_quote is None and digest.pull_quote_span is None
    assert digest.date == date(2022, 11, 4)
    untitled, governance = digest.sections
    first = untitled.paragraphs[0]
    assert (untitled.position, untitled.title) == (1, "")
    assert untitled.title_span == Span(first.span.begin, first.span.begin)
    assert (governance.position, governance.title) == (2, "Governance and Corruption")
    assert_offsets(digest)


def test_crlf_bom_trailing_blanks_and_no_final_newline(tmp_path: Path) -> None:
    plain = read_digest(CORPUS / "2022-11-04.txt")
    messy_lines = [line + " \t" for line in plain.text.split("\n")] + ["", "  ", ""]
    messy = tmp_path / "2022-11-04.txt"
    messy.write_bytes(codecs.BOM_UTF8 + "\r\n".join(messy_lines).encode())

    digest = read_digest(messy)
    assert "\r" not in digest.text and not digest.text.startswith("\ufeff")
    assert digest.date == plain.date
    assert digest.pull_quote == plain.pull_quote
    assert titles(digest) == titles(plain)
    assert [p.text for p in digest.paragraphs()] == [p.text for p in plain.paragraphs()]
    assert_offsets(digest)


def test_lone_carriage_returns_are_line_ends() -> None:
    digest = parse_digest(wrap("Sochi meetings\n\nThe leaders met.").replace("\n", "\r"), "t")
    assert titles(digest) == ["Sochi meetings"]
    assert "\r" not in digest.text


def test_utf16_with_byte_order_mark(tmp_path: Path) -> None:
    text = (CORPUS / "2023-10-03.txt").read_text(encoding="utf-8")
    path = tmp_path / "2023-10-03.txt"
    path.write_bytes(text.encode("utf-16"))
    digest = read_digest(path)
    assert digest.text == text
    assert titles(digest) == CORPUS_CASES["2023-10-03.txt"][2]


# --- errors: file, line and problem


def test_no_date_is_an_error() -> None:
    with pytest.raises(DigestError, match="no publication date found") as caught:
        read_digest(FIXTURES / "no-date.txt")
    assert str(caught.value).startswith("no-date.txt:7: ")


def test_two_different_dates_load_with_the_top_one_and_a_warning() -> None:
    digest = parse_digest(wrap("Topic\n\nSome text.", top="24.07.2023"), "t.txt")
    assert digest.date == date(2023, 7, 24), "the date at the top is the publication date"
    assert digest.warnings == [
        "t.txt:9: two publication dates, '24.07.2023' (line 3) and 'November 4, 2022'; "
        "used '24.07.2023', the top one"
    ]


def test_two_different_dates_the_file_name_decides() -> None:
    digest = parse_digest(wrap("Topic\n\nSome text.", top="24.07.2023"), "2022-11-04.txt")
    assert digest.date == date(2022, 11, 4), "the file name confirms the bottom date"
    assert "used 'November 4, 2022', the file name's" in digest.warnings[0]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(DigestError, match=r"^empty\.txt: empty file$"):
        read_digest(path)
    with pytest.raises(DigestError, match="empty digest"):
        parse_digest("\ufeff \r\n\n  ", "blank.txt")


def test_binary_content_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(
        DigestError, match=r"^image\.png: binary content, not text: NUL byte at byte 8$"
    ):
        read_digest(path)


def test_latin1_text_is_read_as_windows_1252_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text = f"{PUBLISHER}\r\n\r\nCaf\u00e9 culture\r\n\r\nA paragraph.\r\n\r\nNovember 4, 2022\r\n"
    path.write_bytes(text.encode("latin-1"))
    offset = len(PUBLISHER) + 7
    digest = read_digest(path)
    assert "Caf\u00e9 culture" in digest.text
    assert digest.warnings == [
        f"latin1.txt:3: not UTF-8 (invalid byte 0xe9 at byte {offset}); "
        "read as Windows-1252 (Latin-1)"
    ]


def test_bytes_neither_utf8_nor_text_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_bytes(f"{PUBLISHER}\r\n\r\nCaf\x81\x1b culture\r\n".encode("latin-1"))
    offset = len(PUBLISHER) + 7
    with pytest.raises(DigestError) as caught:
        read_digest(path)
    expected = f"junk.txt:3: not UTF-8 text: invalid byte 0x81 at byte {offset}"
    assert str(caught.value) == expected


# --- property: corpus lines in random order parse with right spans, or fail with DigestError

CORPUS_LINES = sorted(
    {line for path in CORPUS.glob("*.txt") for line in path.read_text("utf-8").split("\n")}
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(st.sampled_from(CORPUS_LINES), max_size=30),
    with_publisher=st.booleans(),
    with_date=st.booleans(),
    line_end=st.sampled_from(["\n", "\r\n", "\n\n"]),
)
def test_shuffled_corpus_lines_parse_or_fail_cleanly(
    lines: list[str], with_publisher: bool, with_date: bool, line_end: str
) -> None:
    lines = ([PUBLISHER] if with_publisher else []) + lines + (["May 1, 2023"] if with_date else [])
    try:
        digest = parse_digest(line_end.join(lines), "shuffled.txt")
    except DigestError:
        return
    assert_offsets(digest)
