"""Every digest of the series reads: the ways real digests vary from the house layout.

Each fixture in tests/fixtures/digests/variants/ is a small invented digest showing
one variant. A variant loads, with a warning (file, line, what was assumed) wherever
the parser had to assume something; only what is no digest at all is refused.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.test_parse import assert_offsets, titles
from voxgraph.loader import pipeline
from voxgraph.loader.read.digest import Digest, DigestError
from voxgraph.loader.read.parse import parse_digest, read_digest

VARIANTS = Path(__file__).resolve().parent / "fixtures" / "digests" / "variants"
PUBLISHER = "Center for National and International Studies"


def read(name: str) -> Digest:
    digest = read_digest(VARIANTS / name)
    assert_offsets(digest)
    return digest


def warned(digest: Digest, *fragments: str) -> str:
    """The one warning that holds every fragment; fails naming what was warned instead."""
    hits = [w for w in digest.warnings if all(f in w for f in fragments)]
    assert len(hits) == 1, f"expected one warning with {fragments}, got {digest.warnings}"
    return hits[0]


# --- no publisher line


def test_a_digest_that_opens_with_its_pull_quote_has_the_series_publisher() -> None:
    digest = read("pull-quote-first.txt")
    assert digest.publisher == PUBLISHER, "the series' publisher is assumed"
    assert digest.publisher_span is None, "no characters of the text are the publisher"
    assert digest.pull_quote is not None and digest.pull_quote.startswith("The water in")
    assert digest.date == date(2020, 3, 3)
    assert titles(digest) == ["(Lack of) Human Rights and Liberties", "Local government"]
    assert warned(digest, "no publisher line") == (
        "pull-quote-first.txt:1: no publisher line (expected one such as "
        "'Center for National and International Studies' at the top); "
        "assumed the series' publisher"
    )


def test_a_digest_without_publisher_line_maps_to_the_registered_publisher() -> None:
    report = pipeline.run([VARIANTS / "pull-quote-first.txt"], store=None)
    assert report.ok, f"did not load: {report.failed}"
    [warnings] = report.warnings.values()
    assert any("assumed the series' publisher" in w for w in warnings), warnings


# --- lines that are no text of the digest


def test_image_alt_text_above_the_header_is_left_out_with_a_warning() -> None:
    digest = read("alt-text-above.txt")
    assert digest.publisher == PUBLISHER
    assert digest.text[digest.publisher_span.begin : digest.publisher_span.end] == PUBLISHER
    assert digest.series == "FB Digest@VoxPOPULI", "trailing blanks are not part of the label"
    assert digest.date == date(2019, 10, 17)
    assert digest.text.startswith("Новый рисунок"), "the text itself is unchanged"
    assert digest.paragraphs()[0].text.startswith("The FB users continue")
    assert warned(digest, "Новый рисунок") == (
        "alt-text-above.txt:1: 'Новый рисунок' is not text of the digest "
        "(an image caption or a rule); left out"
    )


def test_an_unknown_short_line_above_the_publisher_line_is_left_out() -> None:
    digest = read("unknown-line-above.txt")
    assert digest.publisher == PUBLISHER
    assert titles(digest) == ["Trade"]
    warned(digest, "unknown-line-above.txt:1:", "'Picture 3'", "left out")
    warned(
        digest,
        "unknown-line-above.txt:2:",
        "'CNIS newsletter, weekly edition' above the publisher line",
    )


def test_stray_lines_come_from_the_mappings_not_the_code() -> None:
    from voxgraph.loader.read.lines import LAYOUT

    assert "новый" in LAYOUT.read_text(encoding="utf-8"), "mappings/layout.yaml lists alt text"
    digest = parse_digest(f"{PUBLISHER}\n\nНовый рисунок 2\n\nTopic\n\nText.\n\nMay 1, 2020", "x")
    assert titles(digest) == ["Topic"], "a numbered alt text is left out too"


# --- blanks


def test_leading_blank_lines_even_of_no_break_and_zero_width_spaces() -> None:
    digest = read("leading-blank-lines.txt")
    assert digest.publisher_span is not None
    assert digest.line_of(digest.publisher_span.begin) == 4
    assert digest.pull_quote == "The harvest is late, and the prices are already rising..."
    assert titles(digest) == ["Economy"]
    assert digest.warnings == [], "nothing was assumed"


# --- headings


def test_an_indented_sub_heading_starts_a_section_under_its_heading() -> None:
    digest = read("indented-subheading.txt")
    assert titles(digest) == [
        "(Lack of) Human Rights and Liberties",
        "Political prisoners",
        "Peace talks",
    ], "the heading above an indented sub-heading is not a paragraph"
    assert [len(s.paragraphs) for s in digest.sections] == [0, 1, 1]
    assert digest.date == date(2020, 6, 2)
    assert warned(digest, "sub-heading") == (
        "indented-subheading.txt:9: indented sub-heading 'Political prisoners' under "
        "'(Lack of) Human Rights and Liberties'; read as a section of its own"
    )


def test_an_indented_heading_alone_is_an_ordinary_heading() -> None:
    text = f"{PUBLISHER}\n\n\t  Sochi meetings\n\nThe leaders met.\n\nMay 1, 2020"
    digest = parse_digest(text, "x.txt")
    assert titles(digest) == ["Sochi meetings"]
    assert digest.warnings == []


def test_a_lead_paragraph_before_inline_headings_of_older_issues() -> None:
    digest = read("lead-before-inline-headings.txt")
    assert titles(digest) == ["", "Roads", "Schools", "Prices"], "the lead has no title"
    assert digest.sections[0].paragraphs[0].text.endswith("rising prices,")
    assert digest.sections[1].paragraphs[0].sentences[0].text.startswith("The FB community")


def test_a_pull_quote_with_dots_before_its_opening_mark() -> None:
    digest = read("lead-before-inline-headings.txt")
    assert digest.pull_quote == "I have waited for this road for thirty years …"
    span = digest.pull_quote_span
    assert span is not None and digest.text[span.begin - 2 : span.begin] == "“ "


# --- the end of a digest


def test_a_last_sentence_cut_off_loads_with_a_warning() -> None:
    digest = read("cut-off.txt")
    last = digest.paragraphs()[-1].sentences[-1]
    assert last.text == "Volunteers from Baku brought food and blankets, and the local"
    assert digest.date == date(2020, 5, 11)
    assert warned(digest, "cut off") == (
        "cut-off.txt:9: the digest's last sentence ends without punctuation "
        "(...'od and blankets, and the local'); read as cut off"
    )


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("series-above.txt", date(2020, 6, 8)),
        ("series-below.txt", date(2020, 6, 15)),
        ("series-at-the-end.txt", date(2020, 6, 22)),
    ],
)
def test_the_series_line_above_or_below_the_header_or_at_the_end(
    name: str, published: date
) -> None:
    digest = read(name)
    assert digest.series == "FB Digest@VoxPOPULI", f"{name}: series line not recognised"
    assert digest.publisher == PUBLISHER and digest.publisher_span is not None
    assert digest.date == published
    assert digest.pull_quote == "The new tariffs hit the poorest families first..." or (
        name == "series-at-the-end.txt"
    )
    assert not any("FB Digest" in p.text for p in digest.paragraphs()), "not a paragraph"
    assert digest.warnings == [], f"{name}: nothing was assumed, got {digest.warnings}"


def test_a_repeated_series_line_is_left_out() -> None:
    text = f"FB Digest@VoxPOPULI\n{PUBLISHER}\nFB Digest@VoxPOPULI\n\nTopic\n\nText.\n\nMay 1, 2020"
    digest = parse_digest(text, "x.txt")
    assert titles(digest) == ["Topic"]
    assert digest.warnings == ["x.txt:3: a second series line; left out"]


# --- the date


def test_the_date_only_in_the_file_name() -> None:
    digest = read("named/2019-11-21.txt")
    assert digest.date == date(2019, 11, 21)
    assert digest.date_span is None, "no characters of the text are the date"
    assert titles(digest) == ["Infrastructure", "Human rights"]
    assert warned(digest, "file name") == (
        "2019-11-21.txt:8: no date line at the top or bottom; "
        "assumed 2019-11-21, the date in the file name"
    )


@pytest.mark.parametrize(
    "name", ["2019-10-17.txt", "digest_2019-10-17.txt", "17-10-2019.txt", "17.10.2019.txt"]
)
def test_file_name_date_forms(name: str) -> None:
    digest = parse_digest(f"{PUBLISHER}\n\nTopic\n\nText.", name)
    assert digest.date == date(2019, 10, 17), f"{name}: date not read from the file name"


def test_the_date_in_the_text_wins_over_the_file_name() -> None:
    digest = parse_digest(f"{PUBLISHER}\n\nTopic\n\nText.\n\nMay 1, 2020", "2019-10-17.txt")
    assert digest.date == date(2020, 5, 1)
    assert digest.warnings == []


@pytest.mark.parametrize(
    "line",
    ["4th November 2022", "November 4, 2022.", "November  4,\u00a02022", "04/11/2022", "4.11.2022"],
)
def test_date_lines_as_typed(line: str) -> None:
    digest = parse_digest(f"{PUBLISHER}\n\nTopic\n\nText.\n\n{line}", "x.txt")
    assert digest.date == date(2022, 11, 4), f"{line!r} not read as a date"
    assert digest.date_span is not None
    assert digest.text[digest.date_span.begin : digest.date_span.end] == line


# --- what is no digest: refused, naming file, line and problem


def test_no_date_in_the_text_nor_the_file_name_is_refused() -> None:
    with pytest.raises(DigestError) as caught:
        parse_digest(f"{PUBLISHER}\n\nTopic\n\nText.", "notes.txt")
    assert str(caught.value) == (
        "notes.txt:5: no publication date found: expected a line such as 'November 4, 2022' "
        "or '24.07.2023' at the top or bottom, or the date in the file name (2022-11-04.txt)"
    )


def test_a_file_name_that_is_no_date_is_no_date() -> None:
    with pytest.raises(DigestError, match="no publication date found"):
        parse_digest(f"{PUBLISHER}\n\nTopic\n\nText.", "2019-13-45.txt")


def test_only_alt_text_is_refused() -> None:
    with pytest.raises(DigestError) as caught:
        parse_digest("\nНовый рисунок\n\n", "2020-01-01.txt")
    assert str(caught.value) == (
        "2020-01-01.txt: empty digest: no text besides image captions or rules"
    )


def test_blank_text_is_refused_even_with_a_dated_name() -> None:
    with pytest.raises(DigestError, match=r"^2020-01-01\.txt: empty digest: there is no text$"):
        parse_digest("\u00a0\n\u200b\n", "2020-01-01.txt")


def test_binary_is_refused_even_with_a_dated_name(tmp_path: Path) -> None:
    path = tmp_path / "2020-01-01.txt"
    path.write_bytes(b"GIF89a\x01\x00\x01\x00\x00\xff\x00")
    with pytest.raises(DigestError, match=r"^2020-01-01\.txt: binary content, not text"):
        read_digest(path)


# --- the command line shows the warnings


def test_validate_prints_each_warning_and_succeeds() -> None:
    from click.testing import CliRunner

    from voxgraph.cli import main

    result = CliRunner().invoke(main, ["validate", "--jobs", "1", str(VARIANTS)])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    assert "WARNING: 2019-11-21.txt:8: no date line at the top or bottom" in result.output
    assert "WARNING: alt-text-above.txt:1: 'Новый рисунок' is not text" in result.output
