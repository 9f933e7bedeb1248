"""The list entry record: its canonical form and content hash."""

from __future__ import annotations

from dataclasses import asdict, fields

from screening.lists.record import BirthDate, Entry, Identifier, Name


def full_entry() -> Entry:
    return Entry(
        ref="12345",
        schema="Person",
        names=[
            Name(full="Oleg Primerov", kind="primary", script="Latn"),
            Name(full="Олег Примеров", kind="original_script", script="Cyrl"),
            Name(full="O. Primerov", kind="weak_aka"),
        ],
        birth_dates=[BirthDate(value="1970-01-12"), BirthDate(year_from=1960, year_to=1962)],
        birth_places=["Sample Town, Ruritania"],
        nationalities=["ru"],
        countries=["ru", "by"],
        identifiers=[Identifier(type="Passport", number="AB 123456", country="ru"), Identifier("Tax", "9")],
        addresses=["1 Sample Street — Ruritania"],
        programs=["SAMPLE-1"],
        topics=["sanction"],
        gender="male",
        listed_on="2020-05-01",
        remarks='A "fictional" entry.',
    )


def test_the_content_hash_of_a_known_entry_never_changes():
    # Stored list versions compare entries by this hash: a change would report every entry as changed.
    assert full_entry().content_hash() == "b31ba54d026029f9b3db1d3d4a7dd742cb2bd22a39959893b4e278fbdf8f0fde"
    empty = Entry(ref="1", schema="Vessel", names=[])
    assert empty.content_hash() == "a3bc3f5d8e8a140e7a6cbf8d5e17a7764a4f14efa322524f6310aef54df331f5"


def test_the_canonical_json_has_sorted_keys_no_spaces_and_unescaped_text():
    # Stored as the entry's data and hashed as is.
    entry = Entry(ref="1", schema="Vessel", names=[Name("Ёж", script="Cyrl")])
    assert entry.canonical_json() == (
        '{"addresses":[],"birth_dates":[],"birth_places":[],"countries":[],"gender":null,"identifiers":[],'
        '"listed_on":null,"names":[{"full":"Ёж","kind":"primary","script":"Cyrl"}],"nationalities":[],'
        '"programs":[],"ref":"1","remarks":"","schema":"Vessel","topics":[]}'
    )


def test_the_dict_form_is_what_dataclasses_asdict_gives_with_every_field():
    entry = full_entry()
    assert entry.to_dict() == asdict(entry)
    assert [key for key in entry.to_dict()] == [f.name for f in fields(Entry)]
