"""Behaviour of reader.quotes.extract_quotes, one test per rule (quotes.md §2-§3).

Fixtures live next to the tests (tests/data/seed-article.txt is a copy of the seed sample);
nothing here reads /work/shared.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import reader.quotes
from reader.quotes import KINDS, ExtractedQuote, extract_quotes
from reader.quotes.extract import extract_quotes_strict
from reader.text.articles import parse_plain_article

SEED = Path(__file__).parent / "data" / "seed-article.txt"


def quotes(body: str) -> list[ExtractedQuote]:
    """Strict path (no safety net), plus the invariants every result must keep."""
    found = extract_quotes_strict(body)
    assert found == extract_quotes(body)
    assert [q.start for q in found] == sorted(q.start for q in found)
    for q in found:
        assert 0 <= q.start <= q.end <= len(body)
        assert q.kind in KINDS
        assert q.speaker_type in ("person", "org", "")
        assert 0.0 <= q.confidence <= 1.0
        if "\n\n" not in q.text:
            assert body[q.start:q.end] == q.text
    return found


def only(body: str) -> ExtractedQuote:
    found = quotes(body)
    assert len(found) == 1, found
    return found[0]


def texts(body: str) -> list[str]:
    return [q.text for q in quotes(body)]


def speakers(body: str) -> list[str]:
    return [q.speaker for q in quotes(body)]


# --- API ----------------------------------------------------------------------------------

def test_package_reexports_the_api() -> None:
    assert reader.quotes.extract_quotes is extract_quotes
    assert reader.quotes.ExtractedQuote is ExtractedQuote
    assert [f.name for f in dataclasses.fields(ExtractedQuote)] == [
        "text", "start", "end", "kind", "speaker", "speaker_mention", "speaker_type", "cue",
        "confidence", "unclosed", "paragraph"]


def test_records_are_frozen() -> None:
    q = only("“Yes,” said Ann Lee.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.text = "no"  # type: ignore[misc]


# --- seed article (quotes.md §3) --------------------------------------------------------

@pytest.fixture(scope="module")
def seed_body() -> str:
    return parse_plain_article(SEED.read_text(encoding="utf-8")).body


def test_seed_has_exactly_the_four_gold_quotes(seed_body: str) -> None:
    found = quotes(seed_body)
    assert [(q.text, q.kind, q.speaker) for q in found] == [
        ("provide policy direction to the entire spectrum of the India-US defence "
         "relationship,", "partial", "Rajnath Singh"),
        ("defence will remain the major pillar of our bilateral relations.", "full",
         "Rajnath Singh"),
        ("free, open, and rules-based Indo-Pacific.", "phrase", "Rajnath Singh"),
        ("our defence ties have never been stronger.", "full", "Pete Hegseth"),
    ]


def test_seed_mentions_cues_and_paragraphs(seed_body: str) -> None:
    found = quotes(seed_body)
    assert [q.speaker_mention for q in found] == [
        "Defence Minister Rajnath Singh", "Defence Minister Rajnath Singh", "He", "Mr. Hegseth"]
    assert [q.cue for q in found] == ["expressed", "adding", "underlined", "stating"]
    # quotes.md counts headline and byline as paragraphs 0 and 1; the body starts at 0.
    assert [q.paragraph for q in found] == [4, 4, 4, 5]
    assert all(q.speaker_type == "person" and not q.unclosed for q in found)
    for q in found:
        assert seed_body[q.start - 1] == "“" and seed_body[q.end] == "”"


def test_seed_pronoun_scores_lower_than_named_subject(seed_body: str) -> None:
    q1, _, q3, _ = quotes(seed_body)
    assert q3.confidence < q1.confidence


# --- quote marks ------------------------------------------------------------------------

def test_apostrophes_are_never_quote_marks() -> None:
    body = ("India’s Defence Ministers’ Meeting don’t matter; in the ’90s rock ’n’ roll "
            "ruled, and the players’ union’s view didn’t change.")
    assert quotes(body) == []
    assert quotes(body.replace("’", "'")) == []


def test_apostrophes_inside_a_quote_do_not_close_it() -> None:
    q = only("“India’s ministers’ meeting won’t fail in the ’90s style,” said Ann Lee.")
    assert q.text == "India’s ministers’ meeting won’t fail in the ’90s style,"
    assert q.speaker == "Ann Lee"


def test_uk_style_single_quotes_are_primary() -> None:
    body = ("Jack Whitlock batted for four hours. ‘It’s the players’ fault, not the pitch,’ "
            "Whitlock said. ‘Aled kept telling me, “Just one more over,” and I believed him.’")
    found = quotes(body)
    assert [q.text for q in found] == [
        "It’s the players’ fault, not the pitch,",
        "Aled kept telling me, “Just one more over,” and I believed him."]
    assert speakers(body) == ["Jack Whitlock", "Jack Whitlock"]


def test_uk_style_possessive_then_closing_quote() -> None:
    body = "The agency blamed ‘unexpected ground conditions’ along the riverbank."
    assert texts(body) == ["unexpected ground conditions"]


def test_straight_quotes_take_direction_from_context() -> None:
    body = 'Ann Lee said: "It works."\n\n"Does it?" asked Tom Brown. He said"yes"twice.'
    assert texts(body) == ["It works.", "Does it?", "yes"]
    assert speakers(body)[:2] == ["Ann Lee", "Tom Brown"]


def test_straight_single_quotes_in_uk_style() -> None:
    body = "'We won,' said Tom Harker. 'The fans' support was huge.'"
    assert texts(body) == ["We won,", "The fans' support was huge."]
    assert speakers(body) == ["Tom Harker", "Tom Harker"]


def test_guillemets_with_nbsp_padding_are_stripped() -> None:
    body = "Le ministre Jean Dupont a parlé. «\u00a0Nous gagnerons\u00a0», said Jean Dupont."
    q = only(body)
    assert q.text == "Nous gagnerons"
    assert q.speaker == "Jean Dupont"
    assert body[q.start:q.end] == q.text


def test_reversed_guillemets_and_low_nine_quotes() -> None:
    assert texts("Hans Meier sagte: »Wir gewinnen«. Dann ging er.") == ["Wir gewinnen"]
    assert texts("Hans Meier sagte: „Wir schaffen das.“ Dann ging er.") == ["Wir schaffen das."]
    assert texts("Narrow ‹inner› and 「日本語」 marks.") == ["inner", "日本語"]


def test_nested_quotes_keep_only_the_top_level_span() -> None:
    body = "“He told us to ‘go home’ and we stayed,” said Anna Berg."
    q = only(body)
    assert q.text == "He told us to ‘go home’ and we stayed,"
    assert q.speaker == "Anna Berg"


def test_split_quote_gives_two_quotes_with_one_speaker() -> None:
    body = 'Jane Roe, the mayor, spoke first. "We will," she said, "never give up."'
    found = quotes(body)
    assert [q.text for q in found] == ["We will,", "never give up."]
    assert [q.speaker for q in found] == ["Jane Roe", "Jane Roe"]
    assert [q.kind for q in found] == ["full", "full"]


def test_multi_paragraph_quote_is_joined_without_reopening_marks() -> None:
    body = ("John Smith said: “We will win this fight.\n\n"
            "“And we will win the next one.”\n\nOthers disagreed.")
    q = only(body)
    assert q.text == "We will win this fight.\n\nAnd we will win the next one."
    assert q.start == body.index("We will")
    assert body[q.end] == "”"
    assert (q.paragraph, q.unclosed, q.speaker) == (0, False, "John Smith")


def test_unclosed_quote_closes_at_paragraph_end_with_lower_confidence() -> None:
    open_body = "John Smith said: “We will win this fight.\n\nOthers disagreed."
    closed_body = "John Smith said: “We will win this fight.”\n\nOthers disagreed."
    q = only(open_body)
    ref = only(closed_body)
    assert q.text == ref.text == "We will win this fight."
    assert q.unclosed and not ref.unclosed
    assert q.confidence < ref.confidence
    assert q.end == open_body.index("\n\n")


def test_stray_closing_marks_are_ignored() -> None:
    assert texts("Nothing” here’ at all» really.") == []
    assert texts("” “Fine,” said Ann Lee.") == ["Fine,"]


# --- kinds ------------------------------------------------------------------------------

def test_kind_full_at_sentence_start_after_colon_and_after_that() -> None:
    assert only("“We won,” Ann Lee said.").kind == "full"
    assert only("Ann Lee said: “we won.”").kind == "full"
    assert only("Ann Lee said that “the results are good and we are pleased.”").kind == "full"


def test_kind_partial_continues_the_reporters_syntax() -> None:
    q = only("Ann Lee said the plan would “help farmers across the whole region”.")
    assert q.kind == "partial"
    assert only("Ann Lee said she was “fully committed to Ohio”.").kind == "partial"


def test_kind_phrase_for_scare_quotes_and_short_noun_phrases() -> None:
    q = only("Critics of the so-called “peace dividend” say it never arrived.")
    assert (q.kind, q.speaker) == ("phrase", "")
    assert only("Ann Lee described it as a “turning point.”").kind == "phrase"
    assert only("The report said trusts had ‘validated’ their lists.").kind == "phrase"


def test_title_case_titles_are_phrases_without_speaker() -> None:
    body = ("Marcus Webb called “The Salt Road” “beautiful, patient and about forty minutes "
            "too long.”")
    found = quotes(body)
    assert [(q.text, q.kind, q.speaker) for q in found] == [
        ("The Salt Road", "phrase", ""),
        ("beautiful, patient and about forty minutes too long.", "partial", "Marcus Webb")]


# --- speakers ---------------------------------------------------------------------------

def test_post_posed_cue_then_name_with_apposition() -> None:
    q = only("“It was a mistake,” said Jane Doe, the mayor.")
    assert (q.speaker, q.speaker_mention, q.cue, q.speaker_type) == (
        "Jane Doe", "Jane Doe", "said", "person")


def test_post_posed_name_then_cue_with_role_apposition() -> None:
    body = "“We are full,” the hospital’s director, Dr. Maria Lopez, told reporters."
    q = only(body)
    assert (q.speaker, q.cue) == ("Maria Lopez", "told")


def test_title_and_surname_resolve_to_the_full_name() -> None:
    body = ("US Secretary of War Mr. Pete Hegseth met the delegation.\n\n"
            "“Our ties have never been stronger,” Mr. Hegseth said. "
            "“Never,” added Secretary Hegseth.")
    assert speakers(body) == ["Pete Hegseth", "Pete Hegseth"]
    assert quotes(body)[0].speaker_mention == "Mr. Hegseth"


def test_pronoun_resolves_to_the_previous_speaker_and_respects_gender() -> None:
    body = ("Ms. Ann Grey opened the meeting. Mr. Tom Brown spoke next. "
            "“We disagree,” she said. “So do I,” he said.")
    found = quotes(body)
    assert [q.speaker for q in found] == ["Ann Grey", "Tom Brown"]
    assert [q.speaker_mention for q in found] == ["she", "he"]


def test_participle_cue_inherits_the_main_clause_subject() -> None:
    body = ("Sarah Khan said the budget was “a disaster”, adding that “nobody will be happy "
            "with it.”")
    found = quotes(body)
    assert [q.speaker for q in found] == ["Sarah Khan", "Sarah Khan"]
    assert [q.cue for q in found] == ["said", "adding"]


def test_organisation_speakers() -> None:
    q = only("Acme Corp said in a statement that it was “deeply saddened” by the news.")
    assert (q.speaker, q.speaker_type) == ("Acme Corp", "org")
    body = ("The Defence Ministry issued a statement on Monday. "
            "“The talks were productive,” the ministry said.")
    q = only(body)
    assert (q.speaker, q.speaker_type, q.speaker_mention) == (
        "Defence Ministry", "org", "the ministry")


def test_spokesperson_for_the_company_speaks_for_it() -> None:
    body = ("The third witness came from Cinder Systems. A spokesperson for the company said "
            "that Cinder “does not knowingly allow minors on the platform.”")
    assert speakers(body) == ["Cinder Systems"]


def test_according_to_before_and_after() -> None:
    assert speakers("“We are full,” according to Maria Lopez.") == ["Maria Lopez"]
    q = only("According to Maria Lopez, an analyst, “the clinic is full.”")
    assert (q.speaker, q.cue, q.kind) == ("Maria Lopez", "according to", "full")


def test_floating_quote_continues_the_previous_speaker() -> None:
    body = "“We will win,” said Jane Roe, the mayor. “Every time.”\n\n“Always.”"
    assert speakers(body) == ["Jane Roe", "Jane Roe", "Jane Roe"]


def test_floating_quote_stops_when_someone_else_is_named() -> None:
    body = "“Never,” said John Smith. Later, Maria Lopez spoke to reporters. “Perhaps.”"
    assert speakers(body) == ["John Smith", ""]


def test_colon_at_the_end_of_the_previous_paragraph_introduces_the_quote() -> None:
    body = "John Smith, the coach, was asked about the result. He said:\n\n“We were lucky.”"
    assert speakers(body) == ["John Smith"]


def test_no_speaker_when_the_text_does_not_say() -> None:
    assert speakers("“I’m done,” a witness said.") == [""]
    assert speakers("Officials said the plan was “dead on arrival.”") == [""]
    assert speakers("“It will rain,” the forecast read. Nobody else spoke.") == [""]
    assert speakers("The sign read “Libraries Are Infrastructure.”") == [""]
    q = only("“We disagree,” she said.")  # nobody to refer to
    assert (q.speaker, q.speaker_mention, q.speaker_type) == ("", "", "")


def test_unintroduced_surname_is_kept_as_written() -> None:
    q = only("“It was a mistake,” Smith said.")
    assert (q.speaker, q.speaker_mention) == ("Smith", "Smith")


def test_role_in_the_lede_is_the_person_named_next() -> None:
    body = ("The health secretary has promised ‘honest’ figures.\n\n"
            "Nadia Qureshi told MPs on Tuesday that the report was ‘unacceptable’.")
    assert speakers(body) == ["Nadia Qureshi", "Nadia Qureshi"]


def test_role_is_not_guessed_from_someone_with_another_title() -> None:
    body = ("The mayor told the council the city faced “a difficult winter.”\n\n"
            "Councilwoman Rosa Diaz disagreed. “The money is there,” she said.")
    assert speakers(body) == ["", "Rosa Diaz"]


def test_description_refers_to_the_person_just_named() -> None:
    body = ("Liverpool boss Arne Slot was philosophical. “It happens,” the Dutchman said.\n\n"
            "Faith Kiptoo won again. The 27-year-old said it was “the best day of my life.”")
    assert speakers(body) == ["Arne Slot", "Faith Kiptoo"]


def test_it_after_a_shared_surname_means_the_company() -> None:
    body = ("Shares of Halvorsen Pharma fell. Chief executive Ingrid Halvorsen spoke to "
            "analysts.\n\nHalvorsen also said it would cut 400 jobs as part of what it "
            "called a “disciplined reallocation of resources.”")
    q = only(body)
    assert (q.speaker, q.speaker_type) == ("Halvorsen Pharma", "org")


def test_nickname_in_quotes_does_not_split_the_name() -> None:
    body = ("Among them was Walter “Buddy” Haines, now 86.\n\n"
            "“We didn’t know we were making history,” Haines said.")
    found = quotes(body)
    assert [(q.text, q.kind, q.speaker) for q in found] == [
        ("Buddy", "phrase", ""),
        ("We didn’t know we were making history,", "full", "Walter Haines")]


def test_appositive_name_after_a_role() -> None:
    body = ("“Don’t tell us this is about money,” the union's president, Rodrigo Saavedra, "
            "said at a rally.")
    assert speakers(body) == ["Rodrigo Saavedra"]
    body = "Brookhaven's city attorney, Dennis Wolfe, said the city was “reviewing the decision”."
    assert speakers(body) == ["Dennis Wolfe"]


# --- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "",
    " \n\n \t",
    "“",
    "”",
    "“”",
    "“ ”",
    "‘’\"\"''«»",
    "“" * 10_000,
    "“a " * 10_000,
    "”\n\n" * 5_000,
    "\x00\x01\ufffe\uffff\ud800\udfff" * 500,
    "“\x00”" * 300,
    "\r\n“a\r\n\r\nb”\r",
])
def test_bad_inputs_never_raise(body: str) -> None:
    quotes(body)


def test_ten_thousand_unmatched_openers_give_at_most_one_unclosed_quote() -> None:
    body = "“word " * 10_000
    found = quotes(body)
    assert len(found) == 1 and found[0].unclosed


def test_binary_junk_decoded_leniently() -> None:
    junk = bytes(range(256)).decode("latin-1") * 20
    quotes(junk)
    quotes(bytes(range(256)).decode("utf-8", errors="replace") * 20)


def test_non_string_input_returns_nothing() -> None:
    assert extract_quotes(None) == []  # type: ignore[arg-type]
    assert extract_quotes(b"\xe2\x80\x9cbytes\xe2\x80\x9d") == []  # type: ignore[arg-type]


@pytest.mark.timeout(20)
@pytest.mark.parametrize("unit", [
    "“a” ", "“a”\n\n", "“a ", "x’ ", "A B C D ", "He said, “a” ", "Smith: “a” ",
    "Smith left, saying “a” and ", "Ann Lee, Bo Li, “a” ", "said told added ",
])
def test_pathological_inputs_stay_linear(unit: str) -> None:
    """5,000 repeats run in well under a second; quadratic work would take minutes."""
    body = unit * 5_000
    found = extract_quotes_strict(body)
    assert all(0 <= q.start <= q.end <= len(body) for q in found)
