"""Statement extraction on short snippets in the house style."""

from __future__ import annotations

from voxgraph.iris import VOX
from voxgraph.loader.extract.actors import find_mentions
from voxgraph.loader.extract.facts import Statement
from voxgraph.loader.extract.statements import find_statements
from voxgraph.loader.map.graph import map_digest
from voxgraph.loader.read.parse import parse_digest
from voxgraph.loader.registry import Entry, Registry

REGISTRY = Registry(
    [
        Entry("ali-karimli", "Ali Karimli", "Person", aliases=("Karimli",)),
        Entry(
            "azerbaijan-popular-front-party",
            "Azerbaijan Popular Front Party",
            "PoliticalParty",
            aliases=("APFP",),
        ),  # fmt: skip
        Entry("ministry-of-defense", "Ministry of Defense", "GovernmentBody"),
        Entry("us-embassy-in-azerbaijan", "US Embassy in Azerbaijan", "GovernmentBody"),
        Entry("turan-information-agency", "Turan Information Agency", "MediaOutlet"),
        Entry("meydan-tv", "Meydan TV", "MediaOutlet"),
        Entry("azerbaijan", "Azerbaijan", "Country"),
        Entry("karabakh", "Karabakh", "Place"),
    ]
)


def statements(*paragraphs: str) -> list[Statement]:
    body = "\n\n".join(paragraphs)
    text = f"Center for National and International Studies\n\nPolitics\n\n{body}\n\nMay 2, 2023\n"
    digest = parse_digest(text, source="snippet.txt")
    found = find_statements(digest, find_mentions(digest, REGISTRY))
    for statement in found:
        for span in statement.evidence:
            assert 0 <= span.begin < span.end <= len(digest.text), "evidence outside the text"
        if statement.quote_span:
            quoted = digest.text[statement.quote_span.begin : statement.quote_span.end]
            assert quoted == statement.quote, "quote_span does not hold the quote"
    return found


def only(found: list[Statement]) -> Statement:
    assert len(found) == 1, f"expected one statement, got {len(found)}: {found}"
    return found[0]


def test_paraphrase_then_quote_of_the_same_speaker_is_one_statement() -> None:
    s = only(
        statements(
            "Journalist Seymur Hezi said that the status of Nakhchivan should be abolished. "
            "Hezi wrote: “Not only the Security Service but all such bodies should go.”"
        )
    )
    assert s.speaker.key == "seymur-hezi", f"speaker in no registry not recognised: {s.speaker}"
    assert s.paraphrase == "the status of Nakhchivan should be abolished", s.paraphrase
    assert s.quote == "Not only the Security Service but all such bodies should go."
    assert len(s.evidence) == 2, "evidence must cover the paraphrase and the quote"


def test_media_from_the_cue() -> None:
    found = statements(
        "Member of APFP Fuad Gahramanli wrote on Facebook: “This means a real solution.”",
        "Karimli’s Facebook post reads: “Russia is the obstacle.”",
        "Activist Aziz Mamiyev spoke at home. Mamiyev’s post: “Everyone should attend.”",
        "Abulfaz Bunyadov, the head of the press service of the Muslim Union Movement, told "
        "Meydan TV that the persons arrested are not members.",
    )
    media = {s.speaker.key: s.medium for s in found}
    assert media == {
        "fuad-gahramanli": "FacebookPost",
        "ali-karimli": "FacebookPost",
        "aziz-mamiyev": "SocialMediaPost",
        "abulfaz-bunyadov": "NewsReport",
    }, media


def test_quote_with_a_missing_opening_mark_runs_from_the_colon() -> None:
    s = only(
        statements(
            "Karimli’s Facebook post: The government is repressive. But the accusation of "
            "“ethnic cleansing” is false. It only helps “foreign forces” who want war.”"
        )
    )
    assert s.speaker.key == "ali-karimli", s.speaker
    assert s.quote is not None and s.quote.startswith("The government is repressive."), s.quote
    assert s.quote.endswith("who want war."), f"quote must run to the closing mark: {s.quote!r}"
    assert "“ethnic cleansing”" in s.quote, "nested quotes must stay inside"


def test_nested_quotes_stay_inside_the_quote() -> None:
    s = only(
        statements(
            "Journalist Seymur Hezi wrote: “The Sochi talks are in line with Moscow. "
            "The phrase “no significant progress” means that talks continue.”"
        )
    )
    assert s.quote.endswith("means that talks continue."), s.quote
    assert "“no significant progress”" in s.quote, s.quote


def test_speaker_after_the_quote() -> None:
    found = statements(
        "“It is difficult to discuss the issue,” said Dmitry Peskov.",
        "“Among the civilians, 13 are children”, Gegham Stepanyan said.",
        "Azerbaijan Popular Front Party plans a rally. “We expect support”, said the chairperson "
        "of the Party, Ali Karimli.",
    )
    got = [(s.speaker.key, s.quote) for s in found]
    assert got == [
        ("dmitry-peskov", "It is difficult to discuss the issue"),
        ("gegham-stepanyan", "Among the civilians, 13 are children"),
        ("ali-karimli", "We expect support"),
    ], got


def test_pronoun_refers_to_the_last_named_person() -> None:
    s = only(
        statements(
            "Labor rights activist Afiaddin Mammadov, who was arrested in Baku, refuted the "
            "accusations against him. He stated, “I am innocent of this crime.”"
        )
    )
    assert s.speaker.key == "afiaddin-mammadov", s.speaker
    assert s.quote == "I am innocent of this crime."
    assert s.paraphrase == "refuted the accusations against him", s.paraphrase


def test_a_title_refers_to_the_person_given_that_role() -> None:
    found = statements(
        "Prosecutor General Kamran Aliyev responded to a journalist. The Prosecutor General "
        "said: “Specific facts were used.”"
    )
    assert [(s.speaker.key, s.quote) for s in found] == [
        ("kamran-aliyev", "Specific facts were used.")
    ], found


def test_organisations_speak_through_statements() -> None:
    found = statements(
        "On Tuesday, the Ministry of Defense announced the operation.",
        "“The positions are destroyed by high-precision weapons,” the statement of the "
        "ministry said.",
        "The US Embassy in Azerbaijan commented on the law. A statement from the embassy to "
        "Turan Information Agency says: “We are concerned.”",
    )
    quoted = {s.quote: (s.speaker.key, s.medium) for s in found if s.quote}
    assert quoted == {
        "The positions are destroyed by high-precision weapons": (
            "ministry-of-defense",
            "OfficialStatement",
        ),
        "We are concerned.": ("us-embassy-in-azerbaijan", "OfficialStatement"),
    }, quoted


def test_indirect_speech_forms() -> None:
    found = statements(
        "According to Karimli, the Kremlin will try to sabotage the talks.",
        "Elchin Amirbeyov, who serves as the envoy for Karabakh, stressed the impracticality "
        "of reaching all agreements. Today’s talks are the beginning, he added.",
        "Ali Karimli said that “if a peace agreement is signed, Karabakh is safe.”",
    )
    got = [(s.speaker.key, s.paraphrase, s.quote) for s in found]
    assert got == [
        ("ali-karimli", "the Kremlin will try to sabotage the talks", None),
        ("elchin-amirbeyov", "stressed the impracticality of reaching all agreements", None),
        ("elchin-amirbeyov", "Today’s talks are the beginning", None),
        ("ali-karimli", None, "if a peace agreement is signed, Karabakh is safe."),
    ], got


def test_a_quote_at_a_clause_boundary_of_indirect_speech_is_its_quote() -> None:
    s = only(
        statements(
            "The statement released by the Ministry of Defense states that measures were "
            "taken, and “cases of citizens being held have been determined.”"
        )
    )
    assert s.speaker.key == "ministry-of-defense", s.speaker
    assert s.paraphrase == "measures were taken", s.paraphrase
    assert s.quote == "cases of citizens being held have been determined."


def test_possessive_that_is_not_a_speech_noun_gives_no_speaker() -> None:
    found = statements(
        "Veteran Jahangir Aliyev’s family told Azadliq newspaper that his treatment stopped."
    )
    assert found == [], f"the family spoke, not the veteran: {found}"


def test_statements_never_share_their_first_evidence_offset() -> None:
    found = statements(
        "Ali Karimli strongly denied the Armenian Prime Minister Nikol Pashinyan’s allegations "
        "that Azerbaijan is conducting ethnic cleansing in Karabakh."
    )
    speakers = [s.speaker.key for s in found]
    assert sorted(speakers) == ["ali-karimli", "nikol-pashinyan"], speakers
    assert len({s.begin for s in found}) == len(found), "two statements share a begin offset"
    pashinyan = next(s for s in found if s.speaker.key == "nikol-pashinyan")
    assert pashinyan.mentions and pashinyan.mentions[0].key == "azerbaijan", pashinyan.mentions


def test_an_unnamed_lawyer_speaks_for_no_one() -> None:
    found = statements(
        "Activist Tofig Gurbanli is in custody. His lawyer said that Gurbanli was beaten."
    )
    assert found == [], f"the lawyer's words went to someone: {found}"


def test_a_named_lawyer_speaks_for_himself_never_for_the_client() -> None:
    s = only(
        statements(
            "Activist Tofig Gurbanli is in custody. His lawyer, Elchin Nabiyev, said that "
            "Gurbanli was beaten."
        )
    )
    assert s.speaker.key == "elchin-nabiyev", s.speaker


def test_said_without_that_straight_quotes_and_according_to() -> None:
    found = statements(
        "Journalist Rauf Guliyev said the court ignored the evidence.",
        'Activist Aysel Hasanova wrote: "They will not silence us."',
        "According to the Ministry of Defense, the positions were shelled at night.",
    )
    got = [(s.speaker.key, s.paraphrase or s.quote) for s in found]
    assert got == [
        ("rauf-guliyev", "the court ignored the evidence"),
        ("aysel-hasanova", "They will not silence us."),
        ("ministry-of-defense", "the positions were shelled at night"),
    ], got


def test_journalists_of_an_outlet_speak_for_the_outlet() -> None:
    s = only(
        statements(
            "Journalists of Meydan TV, led by editor-in-chief Gulnar Karimova, stated, "
            "“We will continue to work.”"
        )
    )
    assert s.speaker.key == "meydan-tv", s.speaker
    assert s.quote == "We will continue to work."


def test_a_quotation_over_two_paragraphs_is_one_quote() -> None:
    s = only(
        statements(
            "Ali Karimli wrote on Facebook: “The first part of the letter.",
            "“The second part of the letter.”",
        )
    )
    assert s.quote is not None and s.quote.startswith("The first part"), s.quote
    assert s.quote.endswith("The second part of the letter."), s.quote
    assert s.medium == "FacebookPost", s.medium


def test_a_quotation_inside_running_words_is_part_of_the_paraphrase() -> None:
    found = statements(
        "The Ministry of Defense reported that two soldiers were wounded. According to the "
        "ministry, the army took “adequate measures”. Lawyer Leyla Rzayeva called the verdict "
        "“a disgrace” and stated that the trial was unfair."
    )
    said = [(s.speaker.key, s.quote, s.paraphrase) for s in found]
    assert said == [
        ("ministry-of-defense", None, "two soldiers were wounded"),
        ("ministry-of-defense", None, "the army took “adequate measures”"),
        ("leyla-rzayeva", None, "the trial was unfair"),
    ], f"a quoted phrase inside a clause is no quote of its own: {said}"


def test_coordinated_acts_of_saying_are_one_statement() -> None:
    s = only(
        statements(
            "The Ministry of Defense demanded the return of the shepherd and called his "
            "detention a provocation."
        )
    )
    assert s.paraphrase == (
        "demanded the return of the shepherd and called his detention a provocation"
    ), s.paraphrase


def test_no_speaker_is_guessed_for_a_passive_or_an_unowned_statement() -> None:
    found = statements(
        "Ali Karimli said that the rally will go ahead.",
        "The police did not disperse the residents, but they were told that nobody would "
        "receive them. The official statement affirms that aid will continue.",
    )
    assert [s.speaker.key for s in found] == ["ali-karimli"], (
        f"'were told' names no speaker, nor does an unowned statement: {found}"
    )


def test_an_unowned_statement_after_one_in_the_paragraph_is_that_one() -> None:
    found = statements(
        "The Ministry of Defense released a statement. According to the statement, the "
        "exercises will last a week."
    )
    assert [(s.speaker.key, s.paraphrase) for s in found] == [
        ("ministry-of-defense", "the exercises will last a week")
    ], found


def test_a_name_and_a_colon_and_a_possessed_post_introduce_quotes() -> None:
    found = statements(
        "Lawyer Elchin Nabiyev was not allowed to meet his client. Nabiyev: “This is not a "
        "meeting, this is an interrogation.”",
        "Activist Tural Guliyev was fined. His post: “I will not delete anything.”",
    )
    said = [(s.speaker.key, s.quote) for s in found]
    assert said == [
        ("elchin-nabiyev", "This is not a meeting, this is an interrogation."),
        ("tural-guliyev", "I will not delete anything."),
    ], said


def test_a_body_the_digest_only_describes_speaks_under_its_description() -> None:
    s = only(
        statements(
            "The presidents discussed the border by phone, according to the presidential "
            "press service."
        )
    )
    assert s.speaker.key == "presidential-press-service", s.speaker
    assert s.paraphrase == "The presidents discussed the border by phone", s.paraphrase


def test_a_quoted_clause_that_ends_the_paraphrase_is_the_quote() -> None:
    s = only(
        statements(
            "Ali Karimli said the ban was unlawful and that its authors "
            '"will answer for it before the voters."'
        )
    )
    assert s.quote == "will answer for it before the voters.", f"quoted clause not the quote: {s}"
    assert s.paraphrase and s.paraphrase.startswith("the ban was unlawful"), s.paraphrase


def test_a_quoted_label_inside_the_paraphrase_stays_a_paraphrase() -> None:
    s = only(statements("Ali Karimli called the verdict “a message to the opposition”."))
    assert s.quote is None, f"a quoted noun phrase taken for the speaker's words: {s.quote}"
    assert s.paraphrase and "message to the opposition" in s.paraphrase, s.paraphrase


def test_a_participle_of_saying_that_sets_the_scene_is_no_statement() -> None:
    s = only(statements("Speaking in Baku on Sunday, Ali Karimli said that the talks had failed."))
    assert s.paraphrase == "the talks had failed", f"'Speaking in Baku' taken for words: {s}"
    found = statements(
        "Ali Karimli announced a hunger strike on Monday, demanding a review of his case."
    )
    assert not found, f"the purpose of a protest taken for a statement: {found}"


def test_protesting_somewhere_is_an_action_not_a_statement() -> None:
    assert not statements("Ali Karimli protested in front of the court on Monday.")
    s = only(statements("Ali Karimli protested that the court had not heard the witnesses."))
    assert s.paraphrase == "the court had not heard the witnesses", s


def test_the_outlet_is_the_last_outlet_named_in_the_paragraph() -> None:
    s = only(
        statements(
            "A reporter of the online outlet Meydan TV was detained. According to the outlet, "
            "she was not allowed to call a lawyer."
        )
    )
    assert s.speaker.key == "meydan-tv", f"'the outlet' not resolved to the outlet named: {s}"


GOVERNMENTS = Registry(
    [
        *REGISTRY.entries,
        Entry("armenia", "Armenia", "Country"),
        Entry("nagorno-karabakh-republic", "Nagorno-Karabakh Republic", "GovernmentBody"),
    ]
)


def test_a_government_noun_speaks_for_its_country_or_the_place_it_governs() -> None:
    text = (
        "Center for National and International Studies\n\nPolitics\n\n"
        "The Armenian government claimed that the shots came from Azerbaijan. "
        "The authorities in Nagorno-Karabakh reported that two civilians were wounded. "
        "His side said nothing.\n\nMay 2, 2023\n"
    )
    digest = parse_digest(text, source="snippet.txt")
    found = find_statements(digest, find_mentions(digest, GOVERNMENTS))
    speakers = [s.speaker.key for s in found]
    assert speakers == ["armenia", "nagorno-karabakh-republic"], (
        f"governments by demonym or governed place: {speakers}"
    )


def test_a_denial_keeps_its_verb() -> None:
    s = only(statements("The Ministry of Defense denied that its units had opened fire."))
    assert s.paraphrase == "denied that its units had opened fire", (
        f"a denial reported as the claim it denies: {s.paraphrase}"
    )


def test_a_verb_of_saying_tagged_a_plural_noun_still_speaks() -> None:
    s = only(
        statements(
            "Ali Karimli states in his FB status that the men were "
            "detained for their posts: “They broke no law.”"
        )
    )
    assert s.speaker.key == "ali-karimli", f"'states' read as a noun lost the speaker: {s}"
    assert s.quote == "They broke no law.", s


def test_a_plural_noun_tagged_verb_of_saying_after_an_apposition_speaks() -> None:
    s = only(
        statements(
            "The chairman of the party, Ali Karimli, states in his FB status that the men were "
            "detained only for their criticism: “They broke no law.”"
        )
    )
    assert s.speaker.key == "ali-karimli", f"'states' tagged a noun lost its speaker: {s}"
    assert s.paraphrase == "the men were detained only for their criticism", s


def test_addressing_the_court_with_a_quotation_is_a_statement() -> None:
    s = only(statements("Karimli addressed the court: “I am here for my articles.”"))
    assert s.speaker.key == "ali-karimli" and s.quote == "I am here for my articles.", s
    assert not statements("Karimli addressed the problem of prisons in his book.")


def test_an_aside_that_someone_denies_the_claim_is_not_part_of_it() -> None:
    s = only(
        statements(
            "The Ministry of Defense said that the activist had attacked a soldier, "
            "which his family denies."
        )
    )
    assert s.paraphrase == "the activist had attacked a soldier", s.paraphrase


def test_as_someone_noted_attributes_the_clause_it_qualifies() -> None:
    s = only(statements("As Karimli noted, the arrests are political."))
    assert s.speaker.key == "ali-karimli" and s.paraphrase == "the arrests are political", s
    s = only(statements("The arrests are political, as Karimli noted on Facebook."))
    assert s.paraphrase == "The arrests are political", s
    found = statements("The arrests continue, as stated by the Ministry of Defense.")
    assert not found, f"a passive source tail is no statement of its own: {found}"


def test_considering_and_thinking_with_a_clause_are_statements() -> None:
    s = only(statements("Karimli considers that the arrests are political."))
    assert s.paraphrase == "the arrests are political", s
    s = only(statements("Karimli thinks the arrests are political."))
    assert s.paraphrase == "the arrests are political", s


def test_quoted_as_saying_speaks_for_the_one_quoted() -> None:
    s = only(statements("Meydan TV quoted Karimli as saying that he had been beaten."))
    assert s.speaker.key == "ali-karimli", f"the outlet that quotes took for the speaker: {s}"
    s = only(statements("Karimli was quoted by Meydan TV as saying that he had been beaten."))
    assert s.speaker.key == "ali-karimli", f"the agent of 'quoted' took for the speaker: {s}"


def test_a_relative_clause_of_saying_speaks_for_its_antecedent() -> None:
    s = only(statements("Journalists met Ali Karimli, who said that the party would boycott."))
    assert s.speaker.key == "ali-karimli", s
    s = only(
        statements(
            "The Azerbaijan Popular Front Party adopted a statement that calls on the "
            "authorities to release the activists."
        )
    )
    assert s.speaker.key == "azerbaijan-popular-front-party", f"a document's author lost: {s}"
    assert not statements("Police detained a man who said that the elections were rigged.")


def test_a_noun_of_saying_with_a_content_clause_speaks_for_its_source() -> None:
    s = only(
        statements(
            "The press service of the Ministry of Defense spread the news that the road was closed."
        )
    )
    assert s.speaker.key == "ministry-of-defense" and s.paraphrase == "the road was closed", s
    s = only(
        statements("Meydan TV broadcast a program that sent the message that “the war is over.”")
    )
    assert s.speaker.key == "meydan-tv", f"the broadcaster of a program lost: {s}"
    assert s.quote == "the war is over.", f"a content clause in quote marks is the quote: {s}"


def test_a_source_in_brackets_speaks_for_the_sentence_before_it() -> None:
    s = only(statements("The party will appeal the verdict (reported by Karimli on his timeline)."))
    assert s.speaker.key == "ali-karimli", s
    assert s.paraphrase == "The party will appeal the verdict", s.paraphrase


def test_each_of_joint_speakers_has_a_statement_of_their_own() -> None:
    found = statements(
        "Ali Karimli and Fuad Gahramanli said that the elections were rigged.",
        "According to Lala Shirinova and Karimli, the talks failed.",
        "“We will not stop,” said the Azerbaijan Popular Front Party and Meydan TV.",
    )
    said = sorted((s.speaker.key, s.paraphrase or s.quote) for s in found)
    assert said == [
        ("ali-karimli", "the elections were rigged"),
        ("ali-karimli", "the talks failed"),
        ("azerbaijan-popular-front-party", "We will not stop"),
        ("fuad-gahramanli", "the elections were rigged"),
        ("lala-shirinova", "the talks failed"),
        ("meydan-tv", "We will not stop"),
    ], f"a joint speaker lost or two merged: {said}"
    s = only(statements("Ali Karimli and his lawyer said that the trial was unfair."))
    assert s.speaker.key == "ali-karimli", f"an unnamed co-speaker must add no one: {s}"


def test_joint_speakers_get_distinct_statement_iris_and_a_lone_speaker_keeps_the_offset() -> None:
    body = (
        "Ali Karimli and Fuad Gahramanli said that the elections were rigged. "
        "Meydan TV reported that the road was closed."
    )
    text = f"Center for National and International Studies\n\nPolitics\n\n{body}\n\nMay 2, 2023\n"
    digest = parse_digest(text, source="snippet.txt")
    graph = map_digest(digest, REGISTRY)
    speakers = {
        str(node).rsplit("/", 1)[-1]: str(speaker).rsplit("/", 1)[-1]
        for node, speaker in graph.subject_objects(VOX.speaker)
    }
    joint, lone = digest.text.index("said that"), digest.text.index("reported")
    assert speakers == {
        f"{joint}": "ali-karimli",
        f"{joint}-fuad-gahramanli": "fuad-gahramanli",
        f"{lone}": "meydan-tv",
    }, f"statement IRIs not one per speaker, or a lone speaker's IRI changed: {speakers}"


def test_a_verb_of_saying_coordinated_inside_a_reported_clause_is_its_subjects_act() -> None:
    s = only(
        statements(
            "Activist Rena Aliyeva wrote that the police asked her about the post and "
            "warned her about prosecution."
        )
    )
    assert s.paraphrase == (
        "the police asked her about the post and warned her about prosecution"
    ), f"the police's warning cut off the report: {s.paraphrase}"
    found = statements(
        "The Ministry of Defense reported that two soldiers were wounded and called on "
        "Azerbaijan to stop."
    )
    said = [s.paraphrase for s in found]
    assert said == ["two soldiers were wounded", "called on Azerbaijan to stop"], (
        f"after a passive clause the speaker's own next act is a statement of its own: {said}"
    )


def test_a_support_verb_with_a_speech_act_noun_is_a_statement() -> None:
    found = statements(
        "The Azerbaijan Popular Front Party leveled accusations against the police, claiming "
        "abuses at the rally on Sunday, which ended after midnight.",
        "Ali Karimli voiced sharp criticism of the verdict.",
        "The Ministry of Defense issued a statement on Monday.",
        "Ali Karimli rejected the accusations of treason.",
    )
    said = [(s.speaker.key, s.paraphrase) for s in found]
    assert said == [
        (
            "azerbaijan-popular-front-party",
            "leveled accusations against the police, claiming abuses at the rally on Sunday",
        ),
        ("ali-karimli", "voiced sharp criticism of the verdict"),
    ], f"a speech act carried by a support verb (and only that) is a statement: {said}"


def test_the_statement_of_a_body_named_as_the_subject_sentences_before() -> None:
    s = only(
        statements(
            "On Monday, the Ministry of Defense decided to send aid to the villages. Two trucks "
            "left Baku in the evening. The official statement affirms that the aid will continue."
        )
    )
    assert s.speaker.key == "ministry-of-defense", f"the statement's body lost: {s}"
    assert s.paraphrase == "the aid will continue", s.paraphrase
    found = statements(
        "Ali Karimli met the Ministry of Defense. The statement says that the talks failed."
    )
    assert not found, f"a body that was not the subject of its clause issued nothing: {found}"


def test_a_relative_speaks_for_the_one_the_paragraph_named_never_for_the_owner() -> None:
    found = statements(
        "Activist Nigar Hasanova met her son, Farid Hasanov, on Monday. Her son said that he "
        "had been beaten.",
        "The grandmother of jailed scholar Orkhan Jafarli, Sona Ismayilova, held a protest. "
        "His grandmother said that he was tortured.",
        "Activist Rena Aliyeva met her husband in prison. Her husband said that he was starving.",
    )
    said = [(s.speaker.key, s.paraphrase) for s in found]
    assert said == [
        ("farid-hasanov", "he had been beaten"),
        ("sona-ismayilova", "he was tortured"),
    ], f"a relative must be the one named as such, and an unnamed one no one: {said}"


def test_a_named_lawyer_speaks_even_where_the_apposition_lost_its_comma() -> None:
    s = only(
        statements(
            "Jailed activist Rauf Hajili stopped his hunger strike. His lawyer, Nazim Lajic said "
            "that Hajili had ended his strike."
        )
    )
    assert s.speaker.key == "nazim-lajic", f"the lawyer named in apposition must speak: {s}"
    assert not statements("His lawyer said that Ali Karimli had ended his strike.")


def test_a_name_after_a_body_already_named_is_its_officer() -> None:
    s = only(
        statements(
            "Human rights defender, the executive director of the “Right Path” human rights "
            "organization Kamran Safarli, stated that the jailed student is facing death."
        )
    )
    assert s.speaker.key == "kamran-safarli", s
    assert s.speaker.type == "Person", f"the director taken for the organisation: {s.speaker}"


def test_a_title_the_parser_hung_on_the_verb_still_names_the_speaker_later() -> None:
    found = statements(
        "Human rights defender Kamran Safarli stated that the student is facing death. "
        "The human rights defender added that the student will not end his strike."
    )
    said = [(s.speaker.key, s.paraphrase) for s in found]
    assert said == [
        ("kamran-safarli", "the student is facing death"),
        ("kamran-safarli", "the student will not end his strike"),
    ], f"'the human rights defender' must be the one given that title: {said}"


def test_a_description_followed_by_the_bodys_name_is_no_body_of_its_own() -> None:
    s = only(statements("The independent outlet Meydan TV reported that the road was closed."))
    assert s.speaker.key == "meydan-tv", f"'the independent outlet' taken for a body: {s}"


def test_it_is_the_body_that_spoke_last_and_a_dash_introduces_a_quote() -> None:
    found = statements(
        "The Ministry of Defense said on Monday that the village was shelled. It added that two "
        "soldiers were wounded. It is clear that the truce failed.",
        "According to Ali Karimli — «The opportunities for peace exist right now».",
        "The press service of the Ministry of Defense announced that the road was closed.",
    )
    said = [(s.speaker.key, s.paraphrase or s.quote) for s in found]
    assert said == [
        ("ministry-of-defense", "the village was shelled"),
        ("ministry-of-defense", "two soldiers were wounded"),
        ("ali-karimli", "The opportunities for peace exist right now"),
        ("ministry-of-defense", "the road was closed"),
    ], said


def test_the_cited_source_speaks_not_the_outlet_that_cites_it() -> None:
    found = statements(
        "Meydan TV reported, citing the lawyer Elchin Sadigov, that the trial was unfair.",
        "Citing the Ministry of Defense, Meydan TV reported that two soldiers were wounded.",
        "Meydan TV reported that the road was closed, citing the Ministry of Defense.",
        "Meydan TV reported that the bridge was closed, citing sources.",
    )
    said = [(s.speaker.key, s.paraphrase) for s in found]
    assert said == [
        ("elchin-sadigov", "the trial was unfair"),
        ("ministry-of-defense", "two soldiers were wounded"),
        ("ministry-of-defense", "the road was closed"),
        ("meydan-tv", "the bridge was closed"),
    ], f"a cited source speaks; unnamed sources leave it to the outlet: {said}"


def test_a_cue_ending_a_paragraph_with_a_colon_introduces_the_quotation_below() -> None:
    found = statements(
        "Exiled journalist Ramil Zeynalov reported this on his social media account:",
        "“The attackers broke the window.”",
        "“He is in intensive care.”",
        "The attackers were detained.",
        "“Nobody knows.”",
    )
    said = [(s.speaker.key, s.quote) for s in found]
    assert said == [
        ("ramil-zeynalov", "The attackers broke the window."),
        ("ramil-zeynalov", "He is in intensive care."),
    ], f"the post quoted below its cue, and only it, is the journalist's: {said}"
