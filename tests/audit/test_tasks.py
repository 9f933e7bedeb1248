"""The beat tasks: checkpoint creation (idempotent) and a full verification."""

from __future__ import annotations

import pytest

from audit.models import AuditCheckpoint
from audit.tasks import checkpoint_create_task, verify_task

pytestmark = pytest.mark.django_db


def test_the_checkpoint_task_signs_new_events_once(record_events):
    last = record_events(4)[-1].sequence
    assert checkpoint_create_task.delay().get() == last
    assert checkpoint_create_task.delay().get() is None  # a redelivery signs nothing new
    assert AuditCheckpoint.objects.count() == 1


def test_the_verify_task_reports_the_first_fault(record_events, tamper):
    events = record_events(3)
    assert verify_task.delay().get()["ok"] is True
    tamper("UPDATE audit_auditevent SET payload = '{}' WHERE sequence = %s", [events[1].sequence])
    result = verify_task.delay().get()
    assert result["ok"] is False
    assert result["fault"].startswith(f"event #{events[1].sequence}:")
