"""Pass 2a: people in no registry, from runs of capitalised words that the
parse makes a name.

The parse gives the cue (word lists in mappings/cues.yaml): a role or kin
noun as the name's compound or in apposition ("activist Nemat Abbasov", "his
son, Farid Aliyev", "Nurlan Libre, a journalist"), the end of a role's
complement ("Chairperson of APFP Ali Karimli"), a relative clause on "who", a
role after "as", the next name of a list of people, a verb of saying or of
arrest ("X was detained"); or the named-entity recogniser takes it for a
person. The series' habits: a surname first before a patronymic ("Guliyev
Tural Rasim oghlu") or by its ending ("Mammadov Elvin"), keyed given name
first. A person only described ("an activist") is never given a name.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from voxgraph.iris import slug
from voxgraph.loader.extract.cues import Cues, load_cues
from voxgraph.loader.extract.facts import Actor, Mention
from voxgraph.loader.extract.organisations import (
    continues_a_name,
    keys_of_last_words,
    name_variants,
    organization_mention,
    repeated_organizations,
)
from voxgraph.loader.extract.registry_names import actor_from_entry, spelling_key, surname_keys
from voxgraph.loader.extract.words import (
    Taken,
    Word,
    capital_runs,
    is_person_noun,
    not_name_word,
)
from voxgraph.loader.read.digest import Span
from voxgraph.loader.registry import Registry


def _name_root(doc: Doc, names: list[Word]) -> Token:
    """The head of a name in the parse: its word whose head lies outside it
    (the last such, for a run the parser split); a patronymic after the name
    that the parser made its head ("Guliyev Tural Rasim oghlu") heads it."""
    first, last = names[0].first, names[-1].last
    after = doc[last + 1] if last + 1 < len(doc) else None
    roots = [doc[i] for i in range(first, last + 1) if not first <= doc[i].head.i <= last]
    if (
        after is not None
        and after.lower_ in load_cues().patronymics
        and any(r.head == after for r in roots)
    ):
        return after
    return roots[-1] if roots else doc[last]


def _name_part(doc: Doc, names: list[Word]) -> list[Word]:
    """The words of a run that the parse joins into one name with its head:
    'Rashad Nabiyev' of 'Digital Development Rashad Nabiyev' (after 'Minister
    of'); the words hung elsewhere are the end of a title."""
    root = _name_root(doc, names)

    def joined(token: Token) -> bool:
        while token.i != root.i:
            if token.dep_ not in ("compound", "flat") or token.head.i <= token.i:
                return False
            token = token.head
        return True

    part = [w for w in names if joined(doc[w.last])]
    if not part or part[-1] is not names[-1]:
        return names
    entity = doc[names[-1].last]
    if entity.ent_type_ == "PERSON":
        # the recogniser sees where the name begins: 'Movement for Civic Dignity Javid
        # Rzayev'; but one word is no whole name ('Leyla Mammadova' with only the
        # surname recognised)
        begin = next(e.start for e in doc.ents if e.start <= entity.i < e.end)
        recognised = [w for w in part if w.first >= begin]
        part = recognised if len(recognised) > 1 else part
    return names[names.index(part[0]) :]


def _person_cue(doc: Doc, names: list[Word], found: list[Mention], cues: Cues) -> bool:
    """Whether the parse makes a run of capitalised words a person's name:
    a role or kin noun as its title ('activist Nemat Abbasov', 'Minister of
    Digital Development Rashad Nabiyev') or in apposition ('Nurlan Libre, a
    journalist', 'his son, Farid Aliyev', 'X, the head of Y'), a relative
    clause on 'who' ('Rail Abbasov, who …'), the next name of a list that
    began with a person ('activists Nemat Abbasov, Amrah Tahmazov'), the
    object of 'Chairperson of APFP', a role after 'as' ('appointed X as
    ambassador'), or a verb of saying or of arrest."""
    root = _name_root(doc, names)
    first, last = names[0].first, names[-1].last
    after = doc[last + 1] if last + 1 < len(doc) else None
    if (
        after is not None
        and after.lower_ == "as"
        and any(c.dep_ == "pobj" and is_person_noun(c, cues, kin=False) for c in after.children)
    ):
        return True  # "the appointment of Fikrat Jafarzade as the head of …"
    for child in root.children:
        title = child.dep_ in ("compound", "nmod", "amod", "appos") and child.i < first
        if title and is_person_noun(child, cues):
            return True
        if child.dep_ == "appos" and child.i > last and is_person_noun(child, cues):
            return True
        if child.dep_ == "relcl" and any(
            g.lower_ in ("who", "whom", "whose") for g in child.subtree if g.i < child.i
        ):
            return True
    head = root.head
    if root.dep_ == "appos" and head.i < first and is_person_noun(head, cues):
        return True
    if role_of(root, first) is not None:
        return True
    if _after_a_role_phrase(doc, first, cues):
        return True
    if root.dep_ == "conj" and found and found[-1].actor.type == "Person":
        begin, end = found[-1].span.begin, found[-1].span.end
        if begin <= head.idx < end:
            return True
    return _verb_cue(root)


def _after_a_role_phrase(doc: Doc, first: int, cues: Cues) -> bool:
    """'the founder of the channel, Farhad Mammadzade,': a name set off by a
    comma after a phrase headed by a role noun, however the parser hung it."""
    if first < 2 or doc[first - 1].text != ",":
        return False
    token = doc[first - 2]
    while token.dep_ == "pobj" and token.head.dep_ == "prep":
        token = token.head.head  # 'the channel' -> 'of' -> 'founder'
    return token.pos_ == "NOUN" and is_person_noun(token, cues)


def role_of(root: Token, first: int) -> Token | None:
    """The role noun whose complement ends in the name: 'Chairperson of APFP
    Ali Karimli', 'Chairman of the Milli Majlis Committee on Human Rights
    Asif Rustamov' (up through prepositions and the capitalised nouns of a
    name). Something must stand between the preposition and the name:
    'deputy minister of Digital Development' names an office, not a person."""
    cues = load_cues()
    token, steps = root, 0
    if root.dep_ == "appos" and root.head.i < first:
        token = root.head  # "Member of the Milli Majlis Elshad Musayev"
    while token.dep_ == "pobj" and token.head.dep_ == "prep" and steps < 6:
        prep, noun = token.head, token.head.head
        if token is root and prep.i + 1 >= first:
            return None
        if noun.i > prep.i or noun.pos_ not in ("NOUN", "PROPN"):
            return None
        if is_person_noun(noun, cues, kin=False):
            return noun
        if not noun.text[0].isupper():
            return None  # "the decree of President Ilham Aliyev": a thing, not a title
        token, steps = noun, steps + 1
    return None


def _speaks(head: Token) -> bool:
    """The subject of a verb of saying or of a support verb with a speech act
    ("leveled accusations against …"), or the one "according to" names."""
    cues = load_cues()
    verb = head.head
    if head.dep_ == "nsubj" and verb.lemma_.lower() in cues.speech_lemmas:
        return True
    if head.dep_ == "nsubj" and verb.lemma_.lower() in cues.support_verbs:
        objects = [t.lemma_.lower() for t in verb.children if t.dep_ == "dobj"]
        return any(o in cues.support_objects for o in objects)
    return head.dep_ == "pobj" and verb.lower_ == "to" and verb.head.lower_ == "according"


def described_bodies(doc: Doc, taken: list[Span], known: list[Mention]) -> list[Mention]:
    """Bodies the digest only describes, where they speak: 'according to the
    presidential press service'. The description, without its article, is
    the name (lower-case modifiers and an organisation noun of
    mappings/cues.yaml); one that fits a body named before ('the Armenian
    ministry' after the Ministry of Defense of Armenia) is that body, left to
    the statement rules. A description followed by the body's name ('the
    independent outlet Kanal Azad') is no body of its own."""
    cues = load_cues()
    inside = Taken(taken)
    found = []
    for token in doc:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in cues.organisation_nouns:
            continue
        modifiers = [t for t in token.children if t.dep_ in ("amod", "compound")]
        if not modifiers or not all(m.is_lower for m in modifiers) or not _speaks(token):
            continue
        if any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in token.children):
            continue  # 'the independent outlet Kanal Azad reported': the name follows
        if _of_a_named_body(token):
            continue  # 'the press service of the Ministry of Defense': the ministry's voice
        begin = min(m.idx for m in modifiers)
        if begin in inside or token.idx in inside:
            continue
        words = [m.lower_ for m in modifiers] + [token.lower_]
        if any(
            all(w in m.actor.label.casefold() for w in words)
            for m in known
            if m.span.begin < begin and m.actor.type not in ("Person", "Place")
        ):
            continue
        span = Span(begin, token.idx + len(token))
        surface = doc.text[span.begin : span.end]
        kind = cues.organization_heads.get(token.text.capitalize(), "Organization")
        found.append(Mention(Actor(slug(surface), surface, kind), span, surface))
    return found


def governments(doc: Doc, taken: list[Span], registry: Registry) -> list[Mention]:
    """Governments the digest names by a noun where they speak or act: 'The
    Armenian government claimed', 'according to the Azerbaijani side', 'the
    Azerbaijani government has taken the initiative' are the country
    of the demonym; 'the Karabakh Armenian authorities', 'the authorities in
    Nagorno-Karabakh said' the body that governs the place (a place beats a
    demonym). The words of mappings/cues.yaml; ids the registry lacks name no one."""
    cues = load_cues()
    inside = Taken(taken)
    found = []
    for token in doc:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in cues.government_nouns:
            continue
        if token.idx in inside or not (_speaks(token) or _governs(token)):
            continue
        modifiers = [t for t in token.children if t.dep_ in ("amod", "compound", "nmod")]
        places = [t for t in token.subtree if t.i < token.i and t.pos_ == "PROPN"] + [
            g
            for prep in token.children
            if prep.dep_ == "prep" and prep.lower_ in ("in", "of")
            for g in prep.subtree
            if g.pos_ == "PROPN"
        ]
        body = next(
            (cues.governed_places[t.text] for t in places if t.text in cues.governed_places), None
        )
        body = body or next(
            (cues.demonyms.get(t.text) for t in modifiers if t.text in cues.demonyms), None
        )
        entry = registry.by_id.get(body) if body else None
        if entry is None:
            continue
        begin = min([token.idx] + [t.idx for t in modifiers if t.idx not in inside])
        span = Span(begin, token.idx + len(token))  # a place named in it keeps its mention
        found.append(Mention(actor_from_entry(entry), span, doc.text[span.begin : span.end]))
    return found


def _governs(noun: Token) -> bool:
    """'The Azerbaijani government has taken the initiative': the definite
    subject of a main clause acts for the state ('several Azerbaijani
    authorities made statements', 'if the government wants …' do not)."""
    definite = any(t.dep_ == "det" and t.lower_ == "the" for t in noun.children)
    return definite and noun.dep_ == "nsubj" and noun.head.dep_ == "ROOT"


def _verb_cue(head: Token) -> bool:
    """The subject of a verb of saying ("Elchin Amirbeyov stressed", "“…,”
    said Dmitry Peskov"), the one "according to" names, or the one a verb or
    noun of arrest, trial or release happens to ("Rail Abbasov was arrested",
    "police detained Tural Mammadli", "the detention of Afgan Sadigli")."""
    cues = load_cues()
    while head.dep_ in ("conj", "appos") and head.head.i != head.i:
        head = head.head  # "Nemat Abbasov and Amrah Tahmazov were detained"
    if head.dep_ in ("nsubjpass", "dobj") and head.head.lemma_.lower() in cues.person_passives:
        return True
    of = head.head
    if head.dep_ == "pobj" and of.lower_ == "of" and of.head.pos_ == "NOUN":
        # "the detention of Afgan Sadigli", "the release of Tofig Yagublu"
        return of.head.lemma_.lower() in cues.person_event_nouns
    return _speaks(head)


def _ner_person(doc: Doc, names: list[Word]) -> bool:
    """Whether the named-entity recogniser takes the whole of a name for a person."""
    return all(t.ent_type_ == "PERSON" for t in doc[names[0].first : names[-1].last + 1])


def _given_first(names: list[str], patronymic: bool) -> list[str]:
    """A name in the order given name, surname: the series often writes the
    surname first, as Azerbaijani documents do ('Guliyev Tural Rasim oghlu',
    'Mammadov Elvin'): before a patronymic the order is surname, given name,
    father's name; without one, a first word with a surname ending before a
    last word without one."""
    if patronymic:
        names = names[:-1]
        return [names[1], names[0]] if len(names) == 2 else names
    if len(names) == 2 and _surname_like(names[0]) and not _surname_like(names[1]):
        return [names[1], names[0]]
    return names


def _surname_like(word: str) -> bool:
    word = word.casefold()
    return any(
        len(word) > len(ending) + 2 and word.endswith(ending)
        for ending in load_cues().surname_endings
    )


def new_people(doc: Doc, words: list[Word], taken: list[Span], registry: Registry) -> list[Mention]:
    """Persons in no registry, each introduced by a cue of the parse or
    recognised as a person by the named-entity recogniser (see module doc)."""
    text, cues = doc.text, load_cues()
    known_surnames = surname_keys(registry)
    found: list[Mention] = []
    for run in capital_runs(text, words, taken):
        names = list(run)
        while names and not_name_word(names[0].text, cues):
            names.pop(0)
        if not names or any(not_name_word(w.text, cues) for w in names):
            continue
        before = _token_before(doc, names[0].first)
        if before is not None and before.lower_ in ("the", "a", "an"):
            continue  # "the Executive Power": names of people take no article
        if (
            before is not None
            and before.lower_ in cues.organization_nouns
            and len(names) <= 4
            and not _named_before(before)
        ):
            # "the independent outlet Kanal Azad": an organisation, not a person
            found.append(organization_mention(text, names, cues, before.lower_))
            continue
        names = _name_part(doc, names) if names[0] is run[0] else names
        if continues_a_name(doc, run, names, cues) and not (
            _listed(doc, names, found) or _after_a_person(doc, names, known_surnames)
        ):
            continue
        if len(names) > 4:
            continue
        span = Span(names[0].begin, names[-1].end)
        after = doc[names[-1].last + 1] if names[-1].last + 1 < len(doc) else None
        patronymic = after is not None and after.lower_ in cues.patronymics and len(names) > 2
        if patronymic and after is not None:
            # "Guliyev Tural Rasim oghlu": the father's name is no part of the key
            span = Span(span.begin, after.idx + len(after))
        key = " ".join(_given_first([w.text for w in names], patronymic))
        if len(names) == 1:
            # One word is a name only after a capitalised title ("Secretary of
            # State Blinken"), and only if it is no surname named elsewhere.
            if before is None or not before.text[0].isupper() or not is_person_noun(before, cues):
                continue
            if spelling_key(names[0].text) in known_surnames | keys_of_last_words(found):
                continue
        elif not (_person_cue(doc, names, found, cues) or _ner_person(doc, names)):
            continue
        surface = text[span.begin : span.end]
        found.append(Mention(Actor(slug(key), key, "Person"), span, surface))
    found += repeated_organizations(text, words, taken + [m.span for m in found], found)
    people = [m for m in found if m.actor.type == "Person"]
    return found + name_variants(text, words, taken + [m.span for m in found], people, cues)


def _of_a_named_body(noun: Token) -> bool:
    """'the press service of the Ministry of Defense': a part that speaks for a
    body named after 'of' (the statement rules give the words to the body)."""
    return any(
        prep.dep_ == "prep" and prep.lower_ == "of" and g.dep_ == "pobj" and g.pos_ == "PROPN"
        for prep in noun.children
        for g in prep.children
    )


def _named_before(noun: Token) -> bool:
    """'the “Right Path” human rights organization Kamran Safarli': the body's
    name came before its noun, so the name after it is someone else's (its
    director's)."""
    return any(t.pos_ == "PROPN" and t.dep_ in ("nmod", "compound") for t in noun.lefts)


def _token_before(doc: Doc, first: int) -> Token | None:
    """The token before a name, over an opening quotation mark: 'the public
    organization “Citizen Consciousness”'."""
    index = first - 1
    while index >= 0 and doc[index].is_quote:
        index -= 1
    return doc[index] if index >= 0 else None


def _after_a_person(doc: Doc, names: list[Word], known_surnames: set[str]) -> bool:
    """'Ali Karimli and Fuad Gahramanli': a name coordinated with a person of the
    registry, or one the recogniser takes for a person, is the next of a list of
    people, not the tail of a body's name ('Ministry of Labour and Social Protection')."""
    first = names[0].first
    if first < 2 or doc[first - 1].lower_ not in ("and", ","):
        return False
    previous = doc[first - 2]
    return previous.ent_type_ == "PERSON" or spelling_key(previous.text) in known_surnames


def _listed(doc: Doc, names: list[Word], found: list[Mention]) -> bool:
    """'Orkhan Gasimov and Elchin Rustamli': the next name of a list of people."""
    if not found or found[-1].actor.type != "Person":
        return False
    between = doc.text[found[-1].span.end : names[0].begin]
    return between.strip(" ,") in ("", "and") and len(between) < 8
