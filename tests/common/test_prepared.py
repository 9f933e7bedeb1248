"""Hot-path SQL compiled once: a prepared query answers exactly what its queryset answers; inserts match save()."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.models import ApiClient, ApiKey
from common.prepared import PreparedQuery, insert_rows

pytestmark = pytest.mark.django_db

FIELDS = ("id", "name", "scopes", "is_active", "created_by_id", "created_at")


def _by_name(name):
    return ApiClient.objects.filter(name=name).values_list(*FIELDS)


def test_a_prepared_query_returns_what_its_queryset_returns_for_each_value():
    services.api_client_create(name="alpha", actor=None, scopes=["screening:run"])
    beta = services.api_client_create(name="beta", actor=None, scopes=["customers:read", "screening:read"])
    ApiClient.objects.filter(pk=beta.pk).update(is_active=False)
    query = PreparedQuery(_by_name)
    for name in ("alpha", "beta", "alpha", "nobody"):
        assert query.rows(name) == list(_by_name(name))
    row = query.rows("beta")[0]
    assert row[2] == ["customers:read", "screening:read"] and row[3] is False  # JSON and booleans converted


def test_a_prepared_query_with_several_parameters_keeps_them_in_place():
    services.api_client_create(name="alpha", actor=None, scopes=[])
    query = PreparedQuery(
        lambda name, description: ApiClient.objects.filter(description=description, name=name).values_list("name"),
        arity=2,
    )
    assert query.rows("alpha", "") == [("alpha",)]
    assert query.rows("", "alpha") == []


def test_a_prepared_query_leaves_values_unconverted_when_asked():
    services.api_client_create(name="alpha", actor=None, scopes=["screening:run"])
    query = PreparedQuery(lambda name: ApiClient.objects.filter(name=name).values_list("scopes"))
    (raw,) = query.rows("alpha", convert=False)[0]
    assert isinstance(raw, str) and "screening:run" in raw  # the JSON text as the database sent it


@pytest.mark.parametrize(
    "build",
    [
        lambda value: ApiClient.objects.filter(pk=value).values_list("name"),  # UUID: converted
        lambda value: ApiClient.objects.filter(name__contains=value).values_list("name"),  # becomes %value%
        lambda value: ApiClient.objects.filter(name="fixed").values_list("name"),  # never used
    ],
    ids=["uuid", "contains", "unused"],
)
def test_a_parameter_that_does_not_reach_the_sql_unchanged_is_refused(build):
    query = PreparedQuery(build)
    with pytest.raises(TypeError):
        query.rows(str(uuid.uuid4()))


def test_a_prepared_query_wants_exactly_its_string_parameters():
    query = PreparedQuery(_by_name)
    with pytest.raises(TypeError):
        query.rows()
    with pytest.raises(TypeError):
        query.rows(42)


def test_inserted_rows_read_back_as_saved_ones():
    client = ApiClient(name="inserted", scopes=["screening:run"], description="d")
    keys = [ApiKey(client=client, prefix=f"prefix{n}", key_hash="0" * 64, label=f"k{n}") for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        insert_rows([client], keys)
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert client.created_at is not None and client.updated_at is not None  # auto_now filled
    assert not client._state.adding and not keys[0]._state.adding
    stored = ApiClient.objects.get(pk=client.pk)
    assert (stored.name, stored.scopes, stored.is_active, stored.created_at) == (
        "inserted",
        ["screening:run"],
        True,
        client.created_at,
    )
    assert sorted(ApiKey.objects.filter(client=client).values_list("prefix", flat=True)) == [
        "prefix0",
        "prefix1",
        "prefix2",
    ]


def test_an_insert_group_of_mixed_models_is_refused():
    client = ApiClient(name="x")
    with pytest.raises(TypeError):
        insert_rows([client, ApiKey(client=client, prefix="p", key_hash="0" * 64)])
