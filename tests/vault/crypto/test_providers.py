"""The local key provider: key file creation, permissions, environment keys and new versions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from vault.crypto import KeyProvider, KeyProviderError, KeyUnavailableError, LocalKeyProvider
from vault.crypto.providers import KEY_FILE_FORMAT


def test_embedded_mode_generates_a_key_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "vault.json"
    provider = LocalKeyProvider.from_file(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert provider.versions("kek") == [1]
    assert provider.versions("token") == [1]
    assert isinstance(provider, KeyProvider)


def test_reopening_the_key_file_gives_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "vault.json"
    first = LocalKeyProvider.from_file(path, create=True)
    again = LocalKeyProvider.from_file(path)
    wrapped = first.wrap("kek", 1, b"k" * 32)
    assert again.unwrap("kek", 1, wrapped) == b"k" * 32
    assert again.mac("token", 1, b"m") == first.mac("token", 1, b"m")


def test_a_missing_key_file_is_an_error_outside_embedded_mode(tmp_path: Path) -> None:
    with pytest.raises(KeyProviderError, match="does not exist"):
        LocalKeyProvider.from_file(tmp_path / "absent.json")


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vault.json"
    LocalKeyProvider.from_file(path, create=True)
    path.chmod(0o644)
    with pytest.raises(KeyProviderError, match="chmod 600"):
        LocalKeyProvider.from_file(path)


def test_a_new_version_is_persisted_and_seen_by_other_processes(tmp_path: Path) -> None:
    path = tmp_path / "vault.json"
    writer = LocalKeyProvider.from_file(path, create=True)
    reader = LocalKeyProvider.from_file(path)
    assert writer.create_version("kek") == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wrapped = writer.wrap("kek", 2, b"d" * 32)
    # The reader loaded the file before version 2 existed and picks it up on first use.
    assert reader.unwrap("kek", 2, wrapped) == b"d" * 32
    assert LocalKeyProvider.from_file(path).versions("kek") == [1, 2]


def test_keys_from_the_environment_are_read_only(tmp_path: Path) -> None:
    path = tmp_path / "vault.json"
    LocalKeyProvider.from_file(path, create=True)
    provider = LocalKeyProvider.from_env(path.read_text())
    assert provider.versions("kek") == [1]
    with pytest.raises(KeyProviderError, match="read-only"):
        provider.create_version("kek")


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"format": "other", "keys": {}}),
        json.dumps({"format": KEY_FILE_FORMAT, "keys": {"kek": {"1": "c2hvcnQ="}}}),
        json.dumps({"format": KEY_FILE_FORMAT, "keys": {"kek": {"zero": "AAAA"}}}),
        json.dumps({"format": KEY_FILE_FORMAT, "keys": []}),
    ],
    ids=["not json", "wrong format", "short key", "bad version", "keys not an object"],
)
def test_malformed_environment_keys_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(KeyProviderError, match="TILLIT_VAULT_KEYS") as caught:
        LocalKeyProvider.from_env(text)
    assert "c2hvcnQ=" not in str(caught.value)


def test_an_unknown_version_is_reported_by_key_id_and_number() -> None:
    with pytest.raises(KeyUnavailableError, match="'kek' version 7"):
        LocalKeyProvider.generate().wrap("kek", 7, b"k" * 32)
