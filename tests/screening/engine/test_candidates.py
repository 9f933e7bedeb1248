import pytest

from screening.engine import candidates as candidates_module
from screening.engine.candidates import COMMON_POSTINGS, candidates
from screening.engine.normalise import canonical_tokens


@pytest.mark.parametrize(
    "name",
    [
        "Muhammad Ali Khan01234",  # a rare seed token, two common tokens added to its names
        "Muhammad Ali",  # only common tokens
        "Mohamed Aly Khan00042",  # spelling variants of the common tokens
        "Vladimir Putin",
    ],
)
def test_common_tokens_vote_the_same_through_their_postings_or_the_names_own_tokens(index, monkeypatch, name):
    assert index.posting_count(index.vocab["muhammad"]) > COMMON_POSTINGS
    tokens = canonical_tokens(name)
    ranked = candidates_module._ranked
    votes = {}
    found = {}
    for strategy, postings_per_name in (("name tokens", 0), ("postings", 10**9)):

        def record(all_votes, count, *rest, strategy=strategy):
            votes[strategy] = list(all_votes.items())
            return ranked(all_votes, count, *rest)

        monkeypatch.setattr(candidates_module, "POSTINGS_PER_NAME", postings_per_name)
        monkeypatch.setattr(candidates_module, "_ranked", record)
        found[strategy] = candidates(index, tokens)
    assert found["name tokens"]
    # Every name's vote, the same float in the same order, whichever way the common tokens were looked up.
    assert votes["name tokens"] == votes["postings"]
    assert found["name tokens"] == found["postings"]


def test_a_rare_token_ranks_its_own_name_first_among_thousands_sharing_the_common_tokens(index):
    found = candidates(index, canonical_tokens("Muhammad Ali Khan01234"))
    assert index.entity_ids[index.name_entity[found[0]]] == "bulk:B1234"
    assert len(found) <= 16


def test_a_persons_query_is_not_crowded_out_by_companies_sharing_its_words():
    from screening.engine import Query, build_index, screen
    from tests.screening.engine.conftest import organisation, person

    companies = [("ofac", organisation(f"C{i}", f"Yildirim Akise Agency {i:02d}")) for i in range(40)]
    index = build_index([*companies, ("ofac", person("P1", "YILDIRIM, Akise"))], versions={"ofac": "1"})
    found = candidates(index, canonical_tokens("Akise Yildirim"), schema="Person")
    assert [index.entity_ids[index.name_entity[name_id]] for name_id in found] == ["ofac:P1"]
    assert [m.entity for m in screen(index, Query(name="Akise Yıldırım", schema="Person"))] == ["ofac:P1"]
    # Without a kind, every entry may match: the companies still come first among the candidates.
    assert len(candidates(index, canonical_tokens("Akise Yildirim"))) > 1


def test_an_arabic_script_query_reaches_a_latin_name_that_many_others_share_its_outline_with():
    from screening.engine import Query, build_index, screen
    from screening.engine.candidates import ABJAD_CANDIDATES, MAX_CANDIDATES
    from tests.screening.engine.conftest import person

    # "زاهد" is known by its consonants z-h-d, which "Saad" and "Sahd" share in the loose skeleton:
    # thirty such names outvote "Zahid" and would fill the usual sixteen candidate places.
    others = [("ofac", person(f"S{i}", f"Saad Muhammad Family{i:02d}")) for i in range(30)]
    index = build_index([*others, ("un", person("Z1", "Muhammad Zahid"))], versions={"ofac": "1", "un": "1"})
    tokens = canonical_tokens("محمد زاهد", "Person")
    found = [index.entity_ids[index.name_entity[n]] for n in candidates(index, tokens, schema="Person")]
    assert MAX_CANDIDATES < len(found) <= ABJAD_CANDIDATES
    assert "un:Z1" in found
    assert [m.entity for m in screen(index, Query(name="محمد زاهد", schema="Person"))][:1] == ["un:Z1"]
