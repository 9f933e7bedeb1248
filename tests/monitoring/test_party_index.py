"""The inverse index of monitored parties: records, incremental updates, the on-disk cache."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from tests.monitoring.conftest import BASELINE


def row(**values: Any) -> dict[str, Any]:
    base = {
        "id": "p1",
        "kind": "person",
        "given_names": "",
        "family_name": "",
        "legal_name": "",
        "trading_names": [],
        "birth_date": None,
        "nationalities": [],
        "residence_country": "",
        "jurisdiction": "",
        "address": {},
    }
    return {**base, **values}


def test_a_person_becomes_a_record_with_name_birth_date_and_countries():
    from monitoring.party_index import party_record

    record = party_record(
        row(
            given_names="Ana",
            family_name="Lima",
            birth_date=date(1980, 5, 1),
            nationalities=["BR"],
            residence_country="PT",
            address={"country": "ES"},
        )
    )
    assert record is not None
    assert (record.schema, [n.full for n in record.names]) == ("Person", ["Ana Lima"])
    assert record.birth_dates[0].value == "1980-05-01"
    assert record.nationalities == ["BR"] and record.countries == ["ES", "PT"]


def test_a_company_is_indexed_under_its_legal_and_trading_names_and_a_nameless_party_is_skipped():
    from monitoring.party_index import party_record

    record = party_record(row(kind="company", legal_name="Northwind SA", trading_names=["Northwind", " "]))
    assert record is not None and record.schema == "Organization"
    assert [(n.full, n.kind) for n in record.names] == [("Northwind SA", "primary"), ("Northwind", "aka")]
    assert party_record(row(kind="company")) is None


@pytest.mark.django_db
def test_an_edited_party_is_matched_on_its_new_name_only(lists, onboard):
    from kyc.models import Party
    from monitoring.party_index import holder
    from screening.engine import Query

    lists.activate(BASELINE)
    customer = onboard("Wilhelmina", "Oyelaran-Bjork")
    index = holder.current(as_of=timezone.now())
    before = index.candidates(Query(name="Wilhelmina Oyelaran-Bjork", schema="Person"), threshold=0.7, limit=10)
    assert str(customer.subject.pk) in before

    party = Party.objects.get(pk=customer.subject.pk)
    party.family_name = "Castellanos-Mwangi"
    party.save()  # as kyc's party_update does
    index = holder.current(as_of=timezone.now())

    old = index.candidates(Query(name="Wilhelmina Oyelaran-Bjork", schema="Person"), threshold=0.7, limit=10)
    new = index.candidates(Query(name="Wilhelmina Castellanos-Mwangi", schema="Person"), threshold=0.7, limit=10)
    assert str(party.pk) not in old and str(party.pk) in new


@pytest.mark.django_db
def test_a_new_worker_loads_the_base_from_disk_instead_of_rebuilding_it(lists, onboard):
    from monitoring.party_index import Holder, holder

    lists.activate(BASELINE)
    onboard("Alice", "Johnson")
    first = holder.current(as_of=timezone.now())
    assert first.meta == {"built": True}

    fresh = Holder().current(as_of=timezone.now())  # another process
    assert "loaded_from" in fresh.meta
    assert fresh.base.entity_ids == first.base.entity_ids


@pytest.mark.django_db
def test_a_changed_party_whose_record_the_base_already_holds_is_left_to_the_base(lists, onboard):
    from kyc.models import Party
    from monitoring.party_index import build_base, build_delta

    lists.activate(BASELINE)
    customer = onboard("Alice", "Johnson")
    party_id = str(customer.subject.pk)
    base = build_base()
    Party.objects.get(pk=party_id).save()  # touched, not changed
    index = build_delta(base, now=timezone.now())
    assert index is not None and f"party:{party_id}" in index.base.entity_ids
    assert index.delta is None and party_id not in index.delta_ids
