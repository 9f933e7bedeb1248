"""Secrets sealed into other apps' tables (TOTP seeds): bound to their row, re-wrapped by rotation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models

from vault.crypto import AuthenticationError, key_version_of
from vault.fields import SealedBinaryField
from vault.selectors import key_version_usage, sealed_fields
from vault.services import (
    KeyInUseError,
    key_version_add,
    key_version_promote,
    key_version_retire,
    rotation_run,
    rotation_start,
    secret_open,
    secret_seal,
)

SEED = b"12345678901234567890"


@pytest.mark.django_db
@pytest.mark.usefixtures("vault_keys")
def test_a_sealed_secret_opens_only_for_its_own_row_and_column() -> None:
    record = str(uuid.uuid4())
    sealed = secret_seal(SEED, table="accounts_totpdevice", record_id=record, field="seed")
    assert SEED not in sealed
    assert secret_open(sealed, table="accounts_totpdevice", record_id=record, field="seed") == SEED
    with pytest.raises(AuthenticationError):
        secret_open(sealed, table="accounts_totpdevice", record_id=str(uuid.uuid4()), field="seed")
    with pytest.raises(AuthenticationError):
        secret_open(sealed, table="accounts_totpdevice", record_id=record, field="recovery")


def test_sealing_refuses_text() -> None:
    with pytest.raises(TypeError, match="bytes"):
        secret_seal("seed", table="t", record_id="1", field="f")  # type: ignore[arg-type]


@pytest.fixture
def sealed_model(transactional_db: None) -> Iterator[type[models.Model]]:
    """A throw-away model with a SealedBinaryField, as another app (accounts) would declare it."""

    class SealedProbe(models.Model):
        id = models.UUIDField(primary_key=True, default=uuid.uuid4)
        seed = SealedBinaryField(null=True)

        class Meta:
            app_label = "vault"
            db_table = "vault_test_sealedprobe"

        def __str__(self) -> str:
            return str(self.id)

    with connection.schema_editor() as editor:
        editor.create_model(SealedProbe)
    try:
        yield SealedProbe
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(SealedProbe)
        del apps.all_models["vault"]["sealedprobe"]
        apps.clear_cache()


@pytest.mark.usefixtures("vault_keys")
def test_kek_rotation_rewraps_sealed_columns_in_other_tables_and_guards_retirement(
    sealed_model: Any,
) -> None:
    assert (sealed_model, "seed") in sealed_fields()
    rows = []
    for _ in range(5):
        row = sealed_model(id=uuid.uuid4())
        row.seed = secret_seal(SEED, table="probe", record_id=str(row.id), field="seed")
        row.save()
        rows.append(row)
    sealed_model.objects.create(id=uuid.uuid4(), seed=None)

    key_version_add(key_id="kek", actor=None)
    key_version_promote(key_id="kek", version=2, actor=None)
    with pytest.raises(KeyInUseError, match="still used by 5"):
        key_version_retire(key_id="kek", version=1, actor=None)

    # Committed at once here, so the Celery task (eager in tests) runs the job: batches of 2.
    job = rotation_start(key_id="kek", actor=None, batch_size=2, add_version=False)
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("completed", 5, 5)
    assert job.cursors["vault.SealedProbe.seed"] == "done"
    assert rotation_run(job_id=job.pk).status == "completed"
    assert key_version_usage(key_id="kek", version=1) == 0
    key_version_retire(key_id="kek", version=1, actor=None)
    for row in rows:
        blob = bytes(sealed_model.objects.get(pk=row.pk).seed)
        assert key_version_of(blob) == ("kek", 2)
        assert secret_open(blob, table="probe", record_id=str(row.id), field="seed") == SEED
