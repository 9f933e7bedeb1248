import pytest

from screening.engine import InvalidQuery, Query


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "name is empty"),
        ("   \t ", "name is empty"),
        ("x" * 10_000, "longer than 300"),
        ("Vladimir\x00Putin", "control character"),
        ("Vladimir\u202ePutin", "invisible"),
        ("Vladimir Putin 😀", "emoji"),
        ("Vlаdimir Putin", "look-alike scripts"),  # Cyrillic "а" inside a Latin word
        ("!!! ---", "no letters"),
    ],
)
def test_bad_names_are_refused_with_a_clear_message(name, message):
    with pytest.raises(InvalidQuery, match=message) as caught:
        Query(name=name)
    assert caught.value.field == "name"


def test_a_name_with_words_in_two_scripts_is_accepted():
    assert Query(name="ООО Gazprom").name == "ООО Gazprom"


def test_from_dict_reads_the_cli_contract_and_validates_every_field():
    query = Query.from_dict(
        {
            "id": "c1",
            "name": " Putin ",
            "schema": "Person",
            "birth_date": "1952-10",
            "countries": ["RU"],
            "identifiers": [{"type": "passport", "number": "123"}],
        }
    )
    assert (query.id, query.name, query.countries, query.identifiers[0].number) == ("c1", "Putin", ("ru",), "123")
    for bad, field in (
        ({"name": "A", "schema": "Ship"}, "schema"),
        ({"name": "A", "birth_date": "1952-13"}, "birth_date"),
        ({"name": "A", "countries": ["Russia"]}, "countries"),
        ({"name": "A", "identifiers": [{"type": "x"}]}, "identifiers"),
        ({"id": "1"}, "name"),
    ):
        with pytest.raises(InvalidQuery) as caught:
            Query.from_dict(bad)
        assert caught.value.field == field


def test_invalid_query_is_a_value_error_so_callers_can_map_it_to_400():
    assert issubclass(InvalidQuery, ValueError)
