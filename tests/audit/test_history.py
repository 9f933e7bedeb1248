"""django-auditlog registration that masks identifier fields completely."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from audit.history import mask_identifier, register_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_history():
    was_registered = auditlog.contains(User)
    if was_registered:
        auditlog.unregister(User)
    yield
    auditlog.unregister(User)
    if was_registered:  # put back the production registration (accounts.history) for the other tests
        from accounts import history

        history.register()


def test_a_model_with_an_unmasked_identifier_field_is_refused(user_history):
    with pytest.raises(ImproperlyConfigured, match=r"\['email', 'full_name'\] look like plaintext identifiers"):
        register_history(User, exclude_fields=["password"])


def test_masked_fields_are_recorded_as_changed_without_their_values(user_history):
    register_history(User, masked_fields=["email", "full_name"], exclude_fields=["password", "last_login"])
    user = User.objects.create_user("jane.doe@example.test", "correct horse battery")
    user.full_name = "Jane Doe"
    user.role = "officer"
    user.save()
    entry = LogEntry.objects.get_for_object(user).filter(action=LogEntry.Action.UPDATE).get()
    changes = entry.changes_dict
    assert changes["full_name"] == ["", "***"]
    assert changes["role"] == ["analyst", "officer"]
    everything = str(list(LogEntry.objects.values()))
    assert "Jane" not in everything
    assert "jane.doe" not in everything
    assert entry.object_repr == f"accounts.user {user.pk}"


def test_unknown_field_names_are_refused(user_history):
    with pytest.raises(ImproperlyConfigured, match="has no field"):
        register_history(User, masked_fields=["passport"])


def test_the_mask_keeps_only_whether_there_was_a_value():
    assert mask_identifier("X1234567") == "***"
    assert mask_identifier("") == ""
    assert mask_identifier("None") == "None"
