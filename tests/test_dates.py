"""Dates in the prose are resolved against the digest's publication date."""

from datetime import date

import pytest

from voxgraph.loader.extract.dates import find_dates

PUBLISHED = date(2023, 9, 22)  # a Friday


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("On Tuesday, the Ministry of Defense made an announcement", date(2023, 9, 19)),
        ("a ceasefire agreement reached on Wednesday", date(2023, 9, 20)),
        ("scheduled a meeting on Nagorno-Karabakh for Thursday", date(2023, 9, 21)),
        ("the talks will resume next Tuesday", date(2023, 9, 26)),
        ("his son was released yesterday", date(2023, 9, 21)),
        ("On September 22, two trucks were dispatched", date(2023, 9, 22)),
        ("extended until January 2, 2024 at 06:00", date(2024, 1, 2)),
        ("On Friday the court ruled", date(2023, 9, 22)),
        ("detained on the 13th September", date(2023, 9, 13)),
        ("on the 3rd of September the court ruled", date(2023, 9, 3)),
        ("On 6-8 September, exercises were held", date(2023, 9, 6)),
        ("On 6 March, 2021, he was detained", date(2021, 3, 6)),
    ],
)
def test_a_date_expression_resolves_against_the_digest_date(phrase: str, expected: date) -> None:
    found = find_dates(phrase, PUBLISHED)
    assert [m.date for m in found] == [expected], phrase


def test_a_month_and_day_take_the_digest_year() -> None:
    found = find_dates("On November 2, those cases were considered", date(2022, 11, 4))
    assert [m.date for m in found] == [date(2022, 11, 2)]


def test_a_day_more_than_a_month_ahead_belongs_to_the_year_before() -> None:
    assert [m.date for m in find_dates("On December 30", date(2023, 1, 3))] == [date(2022, 12, 30)]


def test_offsets_point_at_the_expression() -> None:
    text = "Some words. On Tuesday, something."
    (mention,) = find_dates(text, PUBLISHED, offset=100)
    assert (mention.span.begin - 100, mention.span.end - 100) == (15, 22)
    assert text[15:22] == "Tuesday"


def test_no_date_in_the_text_gives_none() -> None:
    assert find_dates("The arrests continued during the operation.", PUBLISHED) == []
