"""Actor recognition and roles on short snippets in the house style."""

from __future__ import annotations

from voxgraph.loader.extract.actors import find_mentions, find_roles, spelling_key
from voxgraph.loader.extract.facts import Mention
from voxgraph.loader.read.digest import Digest
from voxgraph.loader.read.parse import parse_digest
from voxgraph.loader.registry import Entry, Registry, Role

REGISTRY = Registry(
    [
        Entry("ali-karimli", "Ali Karimli", "Person", aliases=("Karimli",)),
        Entry("ilham-aliyev", "Ilham Aliyev", "Person"),
        Entry("gubad-ibadoglu", "Gubad Ibadoglu", "Person"),
        Entry(
            "azerbaijan-popular-front-party",
            "Azerbaijan Popular Front Party",
            "PoliticalParty",
            aliases=("APFP",),
        ),  # fmt: skip
        Entry("azerbaijan", "Azerbaijan", "Country"),
        Entry("baku", "Baku", "Place"),
    ]
)


def digest(paragraph: str, heading: str = "Human Rights") -> Digest:
    text = (
        "Center for National and International Studies\n\n"
        f"{heading}\n\n{paragraph}\n\nNovember 4, 2022\n"
    )
    return parse_digest(text, source="snippet.txt")


def mentions(paragraph: str, heading: str = "Human Rights") -> list[Mention]:
    """The mentions in a snippet, without the publisher line."""
    found = find_mentions(digest(paragraph, heading), REGISTRY)
    return [m for m in found if "Studies" not in m.surface]


def keys_by_surface(found: list[Mention]) -> list[tuple[str, str]]:
    return [(m.surface, m.actor.key) for m in found]


def test_registry_names_and_a_later_bare_or_possessive_surname() -> None:
    found = mentions(
        "Chairperson of APFP Ali Karimli said that peace is near. Karimli’s Facebook post "
        "reads: “We will see.” Karimli wrote it in Baku."
    )
    pairs = keys_by_surface(found)
    assert ("Karimli", "ali-karimli") in pairs, f"bare/possessive surname not resolved: {pairs}"
    assert pairs.count(("Karimli", "ali-karimli")) == 2, pairs
    assert ("APFP", "azerbaijan-popular-front-party") in pairs, pairs
    assert ("Baku", "baku") in pairs, pairs


def test_namesakes_stay_apart_each_surname_goes_to_the_nearest_full_name() -> None:
    found = mentions(
        "Veteran Jahangir Aliyev went to military service. Aliyev was injured. "
        "Prosecutor General Kamran Aliyev responded to a query. Aliyev expressed disapproval."
    )
    bare = [m.actor.key for m in found if m.surface == "Aliyev"]
    assert bare == ["jahangir-aliyev", "kamran-aliyev"], (
        f"a bare 'Aliyev' must refer to the last Aliyev named in full before it, got {bare}"
    )
    assert "ilham-aliyev" not in {m.actor.key for m in found}, "namesakes merged with the registry"


def test_people_in_no_registry_introduced_by_role_nouns_and_lists() -> None:
    found = mentions(
        "Additionally, activists Nemat Abbasov, Amrah Tahmazov, and former diplomat Emin Shaig "
        "Ibrahimov were all detained for 30 days. Labor rights activist Afiaddin Mammadov "
        "refuted the accusations."
    )
    new = {m.actor.key for m in found if not m.actor.in_registry}
    expected = {"nemat-abbasov", "amrah-tahmazov", "emin-shaig-ibrahimov", "afiaddin-mammadov"}
    assert new == expected, f"expected exactly {expected}, got {new}"
    assert all(m.actor.type == "Person" for m in found if m.actor.key in expected)


def test_people_introduced_by_appositive_relative_clause_kin_noun_or_verb() -> None:
    found = mentions(
        "Nurlan Libre, a journalist, endured torture. Rail Abbasov, who played an active role "
        "in the defense, was arrested. Gubad Ibadoglu’s brother, Galib Toghrul Bey, has "
        "requested treatment. “We are concerned,” said Dmitry Peskov."
    )
    new = {m.actor.key for m in found if not m.actor.in_registry}
    assert new == {"nurlan-libre", "rail-abbasov", "galib-toghrul-bey", "dmitry-peskov"}, new


def test_titles_before_a_name_are_not_part_of_it() -> None:
    found = mentions(
        "President of Russia Vladimir Putin attended. Human Rights Ombudsman of Nagorno "
        "Karabakh Gegham Stepanyan said that 200 died. Minister of Foreign Affairs Jeyhun "
        "Bayramov was in Baku."
    )
    new = {m.actor.label for m in found if not m.actor.in_registry}
    assert new == {"Vladimir Putin", "Gegham Stepanyan", "Jeyhun Bayramov"}, new


def test_spelling_variants_and_middle_names_are_one_actor() -> None:
    assert spelling_key("İbadoğlu") == spelling_key("Ibadoghlu") == spelling_key("Ibadoglu")
    found = mentions(
        "Gubad Ibadoglu is in prison. Ibadoghlu wrote a letter. Emin Ibrahimov, who was "
        "arrested, is mistreated. Layij met with Emin Shaig Ibrahimov."
    )
    keys = {m.surface: m.actor.key for m in found}
    assert keys.get("Ibadoghlu") == "gubad-ibadoglu", f"spelling variant not merged: {keys}"
    assert (
        keys.get("Emin Ibrahimov") == keys.get("Emin Shaig Ibrahimov") == ("emin-shaig-ibrahimov")
    ), f"the fuller name must be the key of both spellings: {keys}"


def test_no_actors_from_headings_sentence_openers_or_dates() -> None:
    found = mentions(
        "On Tuesday, Azerbaijan announced a new law. Images and videos circulating on social "
        "media depict children. In September, The Situation worsened. Meanwhile, Two Days passed.",
        heading="Opposition Party announces new rallies",
    )
    new = [m.actor.label for m in found if not m.actor.in_registry]
    assert new == [], f"capitalised words without a cue became actors: {new}"


def test_organisations_in_no_registry_by_head_noun_or_quoted_name() -> None:
    found = mentions(
        "Afiaddin Mammadov, who serves as the head of the Workers’ Table Trade Unions "
        "Confederation, was apprehended. Narek Samsonyan, the president of the public "
        "organization “Citizen Consciousness,” disclosed this. The Movement for Free Elections "
        "announced that it will hold a rally. The Ministry of Culture in Baku did not comment."
    )
    orgs = {m.actor.label: m.actor.type for m in found if m.actor.type != "Person"}
    assert orgs.get("Workers’ Table Trade Unions Confederation") == "Organization", orgs
    assert orgs.get("Citizen Consciousness") == "Organization", orgs
    assert orgs.get("Movement for Free Elections") == "Organization", orgs
    assert orgs.get("Ministry of Culture") == "GovernmentBody", orgs
    assert "Free Elections" not in {m.actor.label for m in found}, "an org's tail became a person"


def test_roles_stated_before_or_after_a_name() -> None:
    d = digest(
        "Chairperson of APFP Ali Karimli spoke. Journalist Seymur Hezi wrote. Elchin Amirbeyov, "
        "who serves as the representative of Ilham Aliyev for negotiations with Armenians of "
        "Karabakh, stressed the point. Hikmet Hajiyev, the Assistant to the President of "
        "Azerbaijan, conveyed that amnesty is possible."
    )
    roles = {r.actor.key: r for r in find_roles(d, find_mentions(d, REGISTRY))}
    karimli = roles.get("ali-karimli")
    assert karimli and karimli.title == "Chairperson of APFP", roles
    assert karimli.organization and karimli.organization.key == "azerbaijan-popular-front-party"
    assert d.text[karimli.span.begin : karimli.span.end] == "Chairperson of APFP Ali Karimli"
    assert roles["seymur-hezi"].title == "Journalist", roles["seymur-hezi"]
    assert roles["elchin-amirbeyov"].title == (
        "representative of Ilham Aliyev for negotiations with Armenians of Karabakh"
    ), roles["elchin-amirbeyov"]
    assert roles["hikmet-hajiyev"].title == "Assistant to the President of Azerbaijan"
    assert roles["hikmet-hajiyev"].organization is None, "a country is no vox:roleIn"


def test_series_name_habits_title_surname_first_and_patronymic() -> None:
    found = mentions(
        "Doctor Aydin Aliyev treated the prisoners. Guliyev Tural Rasim oghlu, an activist, "
        "was detained. Police detained Mammadov Elvin in Baku."
    )
    new = {m.actor.key for m in found if not m.actor.in_registry}
    assert new == {"aydin-aliyev", "tural-guliyev", "elvin-mammadov"}, (
        f"titles and patronymics stay out of the key, given name first: {new}"
    )


NAMESAKES = Registry(
    [
        Entry("ilham-aliyev", "Ilham Aliyev", "Person", roles=(Role("President of Azerbaijan"),)),
        Entry("kamran-aliyev", "Kamran Aliyev", "Person", roles=(Role("Prosecutor General"),)),
        Entry("elnur-guliyev", "Elnur Guliyev", "Person"),
        Entry(
            "state-security-service",
            "State Security Service",
            "GovernmentBody",
            aliases=("Security Service",),
        ),
        Entry("armenia", "Armenia", "Country"),
        Entry("baku", "Baku", "Place"),
    ]
)


def resolved(paragraph: str, registry: Registry = NAMESAKES) -> list[tuple[str, str]]:
    found = find_mentions(digest(paragraph), registry)
    return [(m.surface, m.actor.key) for m in found if "Studies" not in m.surface]


def test_a_title_before_a_surname_names_the_registry_person_with_that_role() -> None:
    pairs = resolved(
        "Activist Sabir Aliyev was released under a pardon decree signed by President Aliyev. "
        "Aliyev thanked everyone who had campaigned for him."
    )
    bare = [key for surface, key in pairs if surface == "Aliyev"]
    assert bare == ["ilham-aliyev", "sabir-aliyev"], (
        f"'President Aliyev' is the head of state, the next bare 'Aliyev' the activist: {pairs}"
    )


def test_a_bare_surname_after_a_titled_subject_is_that_person() -> None:
    pairs = resolved(
        "The wife of Rauf Aliyev wrote that he is ill. In a speech, President Aliyev said "
        "the measures were needed. Aliyev also said that the doctors work day and night."
    )
    bare = [key for surface, key in pairs if surface == "Aliyev"]
    assert bare == ["ilham-aliyev", "ilham-aliyev"], (
        f"the bare 'Aliyev' after 'President Aliyev said' is the president, not Rauf: {pairs}"
    )


def test_the_surname_regime_is_the_rulers_beside_namesakes() -> None:
    pairs = resolved(
        "His son, Farid Aliyev, was detained in Baku. The harshness of the Aliyev regime "
        "is widely known."
    )
    bare = [key for surface, key in pairs if surface == "Aliyev"]
    assert bare == ["ilham-aliyev"], f"'the Aliyev regime' given to a namesake: {pairs}"


def test_a_bare_surname_goes_to_the_full_name_in_the_digest_before_the_registry() -> None:
    pairs = resolved(
        "Guliyev Tural Rasim oghlu, an activist, was detained in Baku. Guliyev later said that "
        "he was beaten. Tural wrote about it on Facebook."
    )
    keys = {surface: key for surface, key in pairs}
    assert keys.get("Guliyev") == "tural-guliyev", (
        f"the surname must go to the person named in full (surname first), not the registry's "
        f"Elnur Guliyev: {pairs}"
    )
    assert keys.get("Tural") == "tural-guliyev", f"a given name alone after the full name: {pairs}"


def test_a_longer_name_that_only_qualifies_a_registry_body_is_another_body() -> None:
    pairs = resolved(
        "The National Security Service of Armenia claimed that the soldier was a spy. "
        "The Azerbaijani State Security Service questioned him. He was taken to the Penitentiary "
        "Service on Friday."
    )
    keys = [key for _, key in pairs]
    assert "national-security-service-of-armenia" in keys, pairs
    assert keys.count("state-security-service") == 1, (
        f"a nationality makes no other body, 'National … of Armenia' does: {pairs}"
    )
    assert "penitentiary-service" in keys, f"'on Friday' is no part of a name: {pairs}"


def test_a_person_only_described_gets_no_name() -> None:
    pairs = resolved(
        "An activist was detained in Baku on Monday. His sister said that the police beat him. "
        "The Head of the Executive Power did not comment."
    )
    assert [key for _, key in pairs] == ["baku"], f"no one is named here: {pairs}"


def test_a_name_at_the_end_of_a_long_title_or_named_to_an_office() -> None:
    paragraph = (
        "Chairman of the Parliamentary Committee on Human Rights Asif Rustamov argued that the "
        "resolution was biased. The appointment of Fikrat Jafarzade as the head of the district "
        "was criticised."
    )
    d = digest(paragraph)
    found = find_mentions(d, NAMESAKES)
    people = {m.actor.key for m in found if m.actor.type == "Person"}
    assert people == {"asif-rustamov", "fikrat-jafarzade"}, people
    roles = {c.actor.key: c.title for c in find_roles(d, found)}
    assert (
        roles.get("asif-rustamov") == "Chairman of the Parliamentary Committee on Human Rights"
    ), roles


def test_surname_first_with_a_patronymic_after_a_title_keeps_the_surname() -> None:
    found = mentions("War veteran Huseynli Orkhan Rafig oghlu was detained in Baku.")
    people = [m.actor.key for m in found if m.actor.type == "Person"]
    assert people == ["orkhan-huseynli"], f"surname-first name with patronymic misread: {people}"


def test_a_name_in_apposition_to_a_relative_keeps_its_given_name() -> None:
    found = mentions("His wife, Leyla Mammadova, said that her husband is ill.")
    people = [m.actor.key for m in found if m.actor.type == "Person"]
    assert people == ["leyla-mammadova"], f"a name cut to its surname: {people}"


def test_an_abbreviation_defined_in_brackets_names_the_body_later() -> None:
    found = mentions(
        "A deminer of the National Mine Clearance Agency (NMCA) was injured. "
        "According to NMCA, the area had not been cleared."
    )
    keys = [(m.surface, m.actor.key) for m in found]
    assert ("NMCA", "national-mine-clearance-agency") in keys, f"abbreviation not resolved: {keys}"


def test_a_person_named_inside_an_organisation_name_stays_in_it() -> None:
    found = mentions(
        "Professor Tahir Huseynli was arrested. The Committee for the Protection of "
        "Tahir Huseynli’s Rights said that he is ill. The head of the Ministry's Supply "
        "Department was arrested."
    )
    pairs = keys_by_surface(found)
    assert (
        "Committee for the Protection of Tahir Huseynli’s Rights",
        "committee-for-the-protection-of-tahir-huseynlis-rights",
    ) in pairs, f"a person's name cut the committee's name: {pairs}"
    assert ("Tahir Huseynli", "tahir-huseynli") in pairs, pairs
    assert not any("Supply" in surface for surface, _ in pairs), f"a possessive head: {pairs}"


def test_a_name_set_off_after_a_role_phrase_is_a_person() -> None:
    found = mentions(
        "The court sentenced the founder of the channel, Farhad Mammadzade, and reporter "
        "Aysu Ismayilzade to three months of pre-trial detention."
    )
    people = sorted(m.actor.key for m in found if m.actor.type == "Person")
    assert people == ["aysu-ismayilzade", "farhad-mammadzade"], f"apposed name lost: {people}"


def test_someone_to_be_freed_is_a_person() -> None:
    found = mentions("Huseynov wrote: “Tural Mammadli must be freed.”")
    people = [m.actor.key for m in found if m.actor.type == "Person"]
    assert "tural-mammadli" in people, f"the passive of 'free' gave no person: {people}"


def test_a_two_word_name_in_lower_case_is_a_description_a_longer_one_a_name() -> None:
    registry = Registry(
        [
            Entry(
                "presidential-administration-of-azerbaijan",
                "Presidential Administration of Azerbaijan",
                "GovernmentBody",
                aliases=("Presidential Administration",),
            ),
            Entry("state-security-service", "State Security Service", "GovernmentBody"),
        ]
    )
    text = (
        "Activists held a picket in front of the Presidential Administration. Officials fear "
        "the presidential administration. The state security service summoned them."
    )
    found = [m for m in find_mentions(digest(text), registry) if "Studies" not in m.surface]
    assert keys_by_surface(found) == [
        ("Presidential Administration", "presidential-administration-of-azerbaijan"),
        ("state security service", "state-security-service"),
    ], keys_by_surface(found)


def test_a_name_after_a_noun_of_a_kind_of_body_is_that_body_not_a_person() -> None:
    found = mentions(
        "Journalist Ilkin Mammadzade, editor-in-chief of the news site Azad Xeber, is on hunger "
        "strike. The youth organisation Nida Movement held a picket."
    )
    kinds = {m.surface: m.actor.type for m in found}
    assert kinds == {
        "Ilkin Mammadzade": "Person",
        "Azad Xeber": "MediaOutlet",
        "Nida Movement": "Organization",
    }, kinds


def test_the_one_an_event_noun_happens_to_is_a_person() -> None:
    found = mentions(
        "The court extended the detention of Afgan Sadigli and Elmir Abbasli. Activists "
        "demanded the release of Ramil Zeynalli. The trial of the Ministry of Culture began."
    )
    people = [m.surface for m in found if m.actor.type == "Person"]
    assert people == ["Afgan Sadigli", "Elmir Abbasli", "Ramil Zeynalli"], people


def test_a_participle_opening_the_sentence_is_no_part_of_a_bodys_name() -> None:
    registry = Registry([Entry("toplum-tv", "Toplum TV", "MediaOutlet")])
    for epithet in ("Jailed", "Imprisoned", "Well-known"):
        text = f"{epithet} Toplum TV journalist Mushfig Jabbarli was transferred."
        found = [m for m in find_mentions(digest(text), registry) if "Studies" not in m.surface]
        assert keys_by_surface(found) == [
            ("Toplum TV", "toplum-tv"),
            ("Mushfig Jabbarli", "mushfig-jabbarli"),
        ], f"{epithet!r} made a body of its own: {keys_by_surface(found)}"
