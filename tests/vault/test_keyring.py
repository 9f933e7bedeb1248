"""Which key provider the vault uses, from settings: key file, environment variable, or a custom factory."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from vault import keyring
from vault.crypto import KeyProviderError, LocalKeyProvider, aead
from vault.crypto.providers import KEY_FILE_FORMAT
from vault.models import KeyVersion, StoredIdentifier
from vault.services import identifier_store, rotation_run, rotation_start

pytestmark = pytest.mark.django_db

CUSTOM = LocalKeyProvider({"kek": {1: aead.new_key()}, "token": {1: aead.new_key()}})


def custom_provider() -> LocalKeyProvider:
    return CUSTOM


def not_a_provider() -> object:
    return object()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    keyring.reset_provider_cache()
    yield
    keyring.reset_provider_cache()


def _env_keys() -> str:
    keys = {"kek": {"1": aead.new_key(), "2": aead.new_key()}, "token": {"1": aead.new_key()}}
    encoded = {k: {v: base64.b64encode(m).decode() for v, m in vs.items()} for k, vs in keys.items()}
    return json.dumps({"format": KEY_FILE_FORMAT, "keys": encoded})


def test_keys_from_the_environment_bootstrap_with_the_newest_version_primary(settings: Any) -> None:
    settings.TILLIT_VAULT_KEYS = _env_keys()
    assert keyring.states("kek") == {1: "active", 2: "primary"}
    row = identifier_store(identifier_type="lei", value="5493001KJTIIGC8Y1R12", actor=None)
    assert row.kek_version == 2


def test_environment_keys_cannot_grow_a_version_so_rotation_says_how_to_add_one(settings: Any) -> None:
    settings.TILLIT_VAULT_KEYS = _env_keys()
    assert keyring.states("kek") == {1: "active", 2: "primary"}
    with pytest.raises(KeyProviderError, match="TILLIT_VAULT_KEYS"):
        rotation_start(key_id="kek", actor=None)
    assert KeyVersion.objects.filter(key_id="kek").count() == 2
    assert keyring.states("kek") == {1: "active", 2: "primary"}


def test_without_generation_a_missing_key_file_is_a_clear_error(settings: Any, tmp_path: Any) -> None:
    settings.TILLIT_VAULT_KEYS = ""
    settings.TILLIT_VAULT_KEY_FILE = str(tmp_path / "absent.json")
    settings.TILLIT_VAULT_GENERATE_KEYS = False
    with pytest.raises(KeyProviderError, match="does not exist"):
        identifier_store(identifier_type="lei", value="5493001KJTIIGC8Y1R12", actor=None)
    assert not StoredIdentifier.objects.exists()


def test_a_custom_provider_factory_is_used(settings: Any) -> None:
    settings.TILLIT_VAULT_KEY_PROVIDER = "tests.vault.test_keyring.custom_provider"
    assert keyring.provider() is CUSTOM
    assert keyring.kek_ring().provider is CUSTOM


def test_a_factory_that_returns_no_provider_is_refused(settings: Any) -> None:
    settings.TILLIT_VAULT_KEY_PROVIDER = "tests.vault.test_keyring.not_a_provider"
    with pytest.raises(TypeError, match="KeyProvider"):
        keyring.provider()


@pytest.mark.usefixtures("vault_keys")
def test_kek_rotation_never_decrypts_a_value(settings: Any) -> None:
    """A value whose tag is damaged still moves: re-wrapping never touches, so never checks, the ciphertext."""
    row = identifier_store(identifier_type="lei", value="5493001KJTIIGC8Y1R12", actor=None)
    damaged = bytearray(bytes(row.ciphertext))
    damaged[-1] ^= 0x01
    StoredIdentifier.objects.filter(pk=row.pk).update(ciphertext=bytes(damaged))
    job = rotation_start(key_id="kek", actor=None)
    assert rotation_run(job_id=job.pk).status == "completed"
    row.refresh_from_db()
    assert row.kek_version == 2
    assert bytes(row.ciphertext)[-28:] == bytes(damaged)[-28:]


def test_the_transit_provider_stores_reveals_and_rotates_end_to_end(settings: Any, officer: Any) -> None:
    from tests.vault.crypto.fake_transit import TOKEN, running_transit
    from vault.crypto.transit import TransitKeyProvider
    from vault.services import identifier_reveal

    with running_transit() as (address, fake):
        settings.TILLIT_VAULT_KEY_PROVIDER = "vault.keyring.transit_provider"
        settings.TILLIT_VAULT_TRANSIT_ADDR = address
        settings.TILLIT_VAULT_TRANSIT_TOKEN = TOKEN
        admin = TransitKeyProvider(address=address, token=TOKEN)
        admin.create_version("kek"), admin.create_version("token")  # an operator creates the Transit keys
        row = identifier_store(identifier_type="passport", value="L898902C3", country="UTO", actor=officer)
        assert bytes(row.ciphertext).find(b"vault:v1:") > 0
        job = rotation_start(key_id="kek", actor=officer)
        assert rotation_run(job_id=job.pk).status == "completed"
        row.refresh_from_db()
        assert bytes(row.ciphertext).find(b"vault:v2:") > 0
        revealed = identifier_reveal(token=row.token, purpose="screening_review", actor=officer, step_up_verified=True)
        assert revealed.value == "L898902C3"
        assert ("POST", "/v1/transit/keys/tillit-kek/rotate") in fake.requests
