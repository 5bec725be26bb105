"""Events found in short digests written like the publisher's: class, roles,
date, status, count and length, and the sentences that report none."""

from __future__ import annotations

from datetime import date

import pytest

from loader.actors import find_mentions
from loader.event_lexicon import inflections
from loader.events import find_events
from loader.facts import Event
from loader.parse import parse_digest
from loader.registry import Entry, Registry

PUBLISHER = "Center for National and International Studies"
FRIDAY = "September 22, 2023"

REGISTRY = Registry(
    [
        Entry("rail-abbasov", "Rail Abbasov", "Person"),
        Entry("nemat-abbasov", "Nemat Abbasov", "Person"),
        Entry("amrah-tahmazov", "Amrah Tahmazov", "Person"),
        Entry("emin-shaig-ibrahimov", "Emin Shaig Ibrahimov", "Person", ("Emin Ibrahimov",)),
        Entry("elnur-guliyev", "Elnur Guliyev", "Person"),
        Entry("fazail-aliyev", "Fazail Aliyev", "Person"),
        Entry("farid-aliyev", "Farid Aliyev", "Person"),
        Entry("nurlan-libre", "Nurlan Libre", "Person"),
        Entry("mohsun-ashurov", "Mohsun Ashurov", "Person"),
        Entry("vasif-talibov", "Vasif Talibov", "Person"),
        Entry("seymur-hezi", "Seymur Hezi", "Person"),
        Entry("state-security-service", "State Security Service", "GovernmentBody"),
        Entry("police", "Gazakh District Police Department", "GovernmentBody"),
        Entry("ministry-of-defense", "Ministry of Defense", "GovernmentBody"),
        Entry(
            "nakhchivan-security-service",
            "Security Service of the Nakhchivan Autonomous Republic",
            "GovernmentBody",
        ),
        Entry("ganja-court-of-appeals", "Ganja Court of Appeals", "Court"),
        Entry("apfp", "Azerbaijan Popular Front Party", "PoliticalParty"),
        Entry("tiktok", "TikTok", "Organization"),
        Entry("azerbaijan", "Azerbaijan", "Country"),
        Entry("armenia", "Armenia", "Country"),
        Entry("iran", "Iran", "Country"),
        Entry("sochi", "Sochi", "Place"),
        Entry("karabakh", "Karabakh", "Place"),
    ]
)


def events(paragraph: str, published: str = FRIDAY) -> list[Event]:
    text = f"{PUBLISHER}\n\nHuman Rights\n\n{paragraph}\n\n{published}\n"
    digest = parse_digest(text, source="test.txt")
    return find_events(digest, find_mentions(digest, REGISTRY))


def keys(actors) -> list[str]:
    return sorted(a.key for a in actors)


def only(paragraph: str, published: str = FRIDAY) -> Event:
    found = events(paragraph, published)
    assert len(found) == 1, f"expected one event in {paragraph!r}, got {found}"
    return found[0]


# -- one class at a time ----------------------------------------------------------


def test_an_active_arrest_has_the_body_as_agent_and_the_person_as_affected() -> None:
    event = only("Azerbaijani State Security Service detained the deputy minister Elnur Guliyev.")
    assert event.type == "Arrest"
    assert keys(event.agent) == ["state-security-service"], "the subject of 'detained' acts"
    assert keys(event.affected) == ["elnur-guliyev"], "the object of 'detained' is arrested"


def test_a_passive_arrest_has_the_subject_affected_and_the_by_phrase_as_agent() -> None:
    event = only(
        "Fazail Aliyev, a member of the party, was apprehended by the Gazakh District "
        "Police Department."
    )
    assert (event.type, keys(event.affected)) == ("Arrest", ["fazail-aliyev"])
    assert keys(event.agent) == ["police"], "'by ...' names the agent of a passive"


def test_arrested_and_sentenced_in_one_sentence_are_two_events() -> None:
    found = events(
        "Rail Abbasov, who defended jailed activist Nemat Abbasov, was arrested, "
        "and sentenced to four months imprisonment."
    )
    assert [e.type for e in found] == ["Arrest", "Sentencing"]
    assert all(keys(e.affected) == ["rail-abbasov"] for e in found), (
        "the person in the relative clause is not the one arrested"
    )
    assert found[1].duration == "P4M"
    assert found[0].begin != found[1].begin, "two events need two evidence starts (IRIs)"


def test_detained_for_a_period_is_a_sentence_for_everyone_named() -> None:
    event = only(
        "Additionally, activists Nemat Abbasov, Amrah Tahmazov, and former diplomat "
        "Emin Shaig Ibrahimov were all detained for a period of 30 days."
    )
    assert event.type == "Sentencing", "a detention for a fixed term is a sentence"
    assert event.duration == "P30D"
    assert keys(event.affected) == ["amrah-tahmazov", "emin-shaig-ibrahimov", "nemat-abbasov"]


@pytest.mark.parametrize(
    ("sentence", "kind", "duration"),
    [
        ("Emin Ibrahimov received a 30-day administrative arrest sentence.", "Sentencing", "P30D"),
        ("Rail Abbasov was sentenced to one year imprisonment.", "Sentencing", "P1Y"),
        ("Nurlan Libre was sentenced to two weeks of detention.", "Sentencing", "P14D"),
        ("Following a one-day detention, Farid Aliyev was fined.", "Arrest", "P1D"),
    ],
)
def test_the_length_of_a_detention_or_sentence_is_an_xsd_duration(
    sentence: str, kind: str, duration: str
) -> None:
    found = [e for e in events(sentence) if e.type == kind]
    assert [e.duration for e in found] == [duration], sentence


def test_a_court_decision_takes_the_date_and_the_court() -> None:
    event = only(
        "On November 2, the Ganja Court of Appeals annulled the verdict against Rail Abbasov.",
        published="November 4, 2022",
    )
    assert event.type == "CourtDecision"
    assert event.date == date(2022, 11, 2), "'On November 2' in the digest's year"
    assert keys(event.agent) == ["ganja-court-of-appeals"]
    assert keys(event.affected) == ["rail-abbasov"]


def test_a_sentence_initial_date_also_dates_the_next_sentence() -> None:
    found = events(
        "On November 2, those cases were considered at the Ganja Court of Appeals. "
        "The prison sentences against the eleven people have been canceled.",
        published="November 4, 2022",
    )
    assert [(e.type, e.date, e.quantity) for e in found] == [
        ("CourtDecision", date(2022, 11, 2), 11)
    ]


@pytest.mark.parametrize(
    ("sentence", "kind", "affected"),
    [
        ("Rail Abbasov was released from prison.", "Release", ["rail-abbasov"]),
        (
            "Emin Ibrahimov was charged with supporting terrorism.",
            "Charge",
            ["emin-shaig-ibrahimov"],
        ),
        ("Nurlan Libre, a journalist, endured torture in Baku.", "Mistreatment", ["nurlan-libre"]),
        (
            "Mohsun Ashurov was appointed as head of the department.",
            "Appointment",
            ["mohsun-ashurov"],
        ),
        (
            "The Security Service of the Nakhchivan Autonomous Republic was canceled.",
            "InstitutionalChange",
            ["nakhchivan-security-service"],
        ),
        (
            "Access to the platform “TikTok” has been limited in Azerbaijan.",
            "Restriction",
            ["tiktok"],
        ),
    ],
)
def test_each_class_finds_whom_it_affects(sentence: str, kind: str, affected: list[str]) -> None:
    event = only(sentence)
    assert (event.type, keys(event.affected)) == (kind, affected), sentence


def test_a_meeting_has_participants_and_a_place() -> None:
    event = only("The leaders of Armenia and Azerbaijan met in Sochi.")
    assert event.type == "Meeting"
    assert keys(event.participant) == ["armenia", "azerbaijan"]
    assert keys(event.place) == ["sochi"]
    assert event.affected == [], "nobody is affected by a meeting"


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Iran launched military exercises on the border.", "MilitaryExercise"),
        ("The new draft law on political parties is being discussed.", "Legislation"),
        ("Meanwhile, a significant exodus of Armenians is occurring in Karabakh.", "Displacement"),
        ("Two trucks loaded with bread were dispatched from the region.", "HumanitarianAid"),
        ("Police officers assaulted war veterans.", "Mistreatment"),
    ],
)
def test_the_lexicon_covers_the_class(sentence: str, kind: str) -> None:
    assert [e.type for e in events(sentence)] == [kind], sentence


def test_a_weekday_resolves_to_the_latest_one_before_the_digest() -> None:
    event = only(
        "On Tuesday, the Ministry of Defense announced the commencement of localized "
        "military operations in Karabakh."
    )
    assert (event.type, event.date) == ("MilitaryOperation", date(2023, 9, 19))
    assert keys(event.place) == ["karabakh"]


# -- status, counts, dates ---------------------------------------------------------


def test_a_planned_rally_has_status_planned_and_its_date() -> None:
    event = only(
        "Azerbaijan Popular Front Party plans a new rally on November 11.",
        published="November 8, 2022",
    )
    assert (event.type, event.status, event.date) == ("Protest", "Planned", date(2022, 11, 11))


def test_allegedly_makes_an_event_alleged() -> None:
    event = only(
        "Fazail Aliyev reported that his records were allegedly removed yesterday, "
        "and he was denied essential medication."
    )
    assert (event.type, event.status) == ("Mistreatment", "Alleged")
    assert keys(event.affected) == ["fazail-aliyev"], "'he' is the person the sentence is about"
    assert event.date == date(2023, 9, 21), "'yesterday' in the clause joined by ', and'"


def test_an_arrest_reported_as_fact_occurred() -> None:
    assert only("Rail Abbasov was arrested.").status == "Occurred"


@pytest.mark.parametrize(
    ("sentence", "quantity"),
    [
        ("Twelve people, including the head of the department, were arrested.", 12),
        ("As a result, 19 people were brought under investigation.", 19),
        ("Armenian sources reported that approximately 5,000 civilians were evacuated.", 5000),
        ("In the case, nineteen persons were arrested.", 19),
    ],
)
def test_the_number_of_people_is_the_quantity(sentence: str, quantity: int) -> None:
    assert [e.quantity for e in events(sentence)] == [quantity], sentence


def test_two_counts_in_one_sentence_are_two_events() -> None:
    found = events("The ombudsman said that at least 200 people died and more than 400 injured.")
    assert [(e.type, e.quantity) for e in found] == [("Casualties", 200), ("Casualties", 400)]


def test_a_date_the_text_does_not_give_stays_absent() -> None:
    assert only("Rail Abbasov was arrested.").date is None, "never the digest's own date"


# -- sentences that report no event ----------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("Journalist Seymur Hezi wrote a long post about the economy.", "no trigger"),
        ("Vasif Talibov should be dismissed and brought to justice.", "a modal: not an event"),
        ("Fazail Aliyev was not detained according to the law.", "a negation"),
        ("His arrest is thought to be a result of his criticism.", "refers back to an arrest"),
        ("Nurlan Libre was held at the detention center.", "'detention center' is a place"),
        (
            "Seymur Hezi wrote: “Many activists were arrested in the capital this week.”",
            "inside a direct quote",
        ),
        ("The Ministry of Defense released information on the border.", "not a release"),
    ],
)
def test_no_event(sentence: str, why: str) -> None:
    assert events(sentence) == [], why


def test_evidence_is_the_clause_that_states_the_event() -> None:
    text = "Azerbaijani State Security Service detained the deputy minister Elnur Guliyev."
    digest = parse_digest(f"{PUBLISHER}\n\nHeading\n\n{text}\n\n{FRIDAY}\n", "test.txt")
    (event,) = find_events(digest, find_mentions(digest, REGISTRY))
    (span,) = event.evidence
    assert digest.text[span.begin : span.end] == text


def test_verbs_are_found_in_all_their_forms() -> None:
    assert inflections("detain") == ["detain", "detains", "detained", "detaining"]
    assert inflections("die") == ["die", "dies", "died", "dying"]
    assert inflections("sentence") == ["sentence", "sentences", "sentenced", "sentencing"]
