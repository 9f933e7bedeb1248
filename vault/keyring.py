"""Django glue for keys: which provider to use (settings), and key rings built from KeyVersion rows.

Settings (all optional, read with defaults):

``TILLIT_VAULT_KEY_PROVIDER``  dotted path of a zero-argument factory returning a ``KeyProvider``
                               (default ``vault.keyring.local_provider``; point it at a KMS or
                               Vault Transit adapter in production)
``TILLIT_VAULT_KEYS``          key-file JSON in the environment (read-only keys), takes precedence
``TILLIT_VAULT_KEY_FILE``      path of the local key file (default ``<data dir>/keys/vault-keys.json``)
``TILLIT_VAULT_GENERATE_KEYS`` create the key file on first use (embedded mode; default True,
                               production should set False so a missing file is an error)
``TILLIT_VAULT_TRANSIT_*``     with ``TILLIT_VAULT_KEY_PROVIDER = "vault.keyring.transit_provider"``:
                               ``ADDR``, ``TOKEN``, ``MOUNT`` (transit), ``KEK_NAME`` (tillit-kek),
                               ``TOKEN_KEY_NAME`` (tillit-token), ``NAMESPACE``, ``CA_FILE``
"""

from __future__ import annotations

import threading
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from vault.crypto import KeyProvider, KeyRing, KeyState, LocalKeyProvider
from vault.models import KEK, TOKEN_KEY, KeyVersion

_lock = threading.Lock()
# Settings that change which provider (or which keys) the factory builds: part of the cache key.
_PROVIDER_SETTINGS = (
    "TILLIT_VAULT_KEYS",
    "TILLIT_VAULT_GENERATE_KEYS",
    "TILLIT_VAULT_TRANSIT_ADDR",
    "TILLIT_VAULT_TRANSIT_TOKEN",
    "TILLIT_VAULT_TRANSIT_MOUNT",
    "TILLIT_VAULT_TRANSIT_KEK_NAME",
    "TILLIT_VAULT_TRANSIT_TOKEN_KEY_NAME",
    "TILLIT_VAULT_TRANSIT_NAMESPACE",
    "TILLIT_VAULT_TRANSIT_CA_FILE",
)
_cache: dict[tuple[object, ...], KeyProvider] = {}


def _setting(name: str, default: object) -> object:
    return getattr(settings, name, default)


def key_file_path() -> Path:
    """Where the local provider keeps its key file."""
    default = Path(str(_setting("TILLIT_DATA_DIR", Path(settings.BASE_DIR) / "data"))) / "keys" / "vault-keys.json"
    return Path(str(_setting("TILLIT_VAULT_KEY_FILE", "") or default))


def local_provider() -> KeyProvider:
    """The default provider: keys from TILLIT_VAULT_KEYS, else the key file (created in embedded mode)."""
    from_env = str(_setting("TILLIT_VAULT_KEYS", "") or "")
    if from_env:
        return LocalKeyProvider.from_env(from_env)
    return LocalKeyProvider.from_file(key_file_path(), create=bool(_setting("TILLIT_VAULT_GENERATE_KEYS", True)))


def transit_provider() -> KeyProvider:
    """HashiCorp Vault Transit, from TILLIT_VAULT_TRANSIT_* settings (address, token, mount, key names)."""
    from vault.crypto.transit import TransitKeyProvider

    return TransitKeyProvider(
        address=str(_setting("TILLIT_VAULT_TRANSIT_ADDR", "")),
        token=str(_setting("TILLIT_VAULT_TRANSIT_TOKEN", "")),
        mount=str(_setting("TILLIT_VAULT_TRANSIT_MOUNT", "transit")),
        key_names={
            KEK: str(_setting("TILLIT_VAULT_TRANSIT_KEK_NAME", "tillit-kek")),
            TOKEN_KEY: str(_setting("TILLIT_VAULT_TRANSIT_TOKEN_KEY_NAME", "tillit-token")),
        },
        namespace=str(_setting("TILLIT_VAULT_TRANSIT_NAMESPACE", "")) or None,
        ca_file=str(_setting("TILLIT_VAULT_TRANSIT_CA_FILE", "")) or None,
    )


def provider() -> KeyProvider:
    """The configured key provider, built once per process (and again if its settings change)."""
    factory = str(_setting("TILLIT_VAULT_KEY_PROVIDER", "vault.keyring.local_provider"))
    signature = (factory, str(key_file_path()), *(str(_setting(name, "")) for name in _PROVIDER_SETTINGS))
    with _lock:
        found = _cache.get(signature)
        if found is None:
            found = import_string(factory)()
            if not isinstance(found, KeyProvider):
                raise TypeError(f"{factory} did not return a vault KeyProvider")
            _cache.clear()
            _cache[signature] = found
        return found


def reset_provider_cache() -> None:
    """Forget the cached provider (tests that swap key files; a reload after changing settings)."""
    with _lock:
        _cache.clear()


def _bootstrap(key_id: str) -> None:
    """First use of a key id: record the provider's versions, the newest as primary."""
    versions = sorted(provider().versions(key_id))
    if not versions:
        versions = [provider().create_version(key_id)]
    now = timezone.now()
    rows = [
        KeyVersion(
            key_id=key_id,
            version=v,
            state=KeyState.PRIMARY if v == versions[-1] else KeyState.ACTIVE,
            provider=type(provider()).__name__,
            promoted_at=now if v == versions[-1] else None,
        )
        for v in versions
    ]
    try:
        with transaction.atomic():
            KeyVersion.objects.bulk_create(rows)
    except IntegrityError:
        pass  # another process bootstrapped the same key id first


def states(key_id: str) -> dict[int, KeyState]:
    """Version -> state for ``key_id`` from the database, bootstrapping on first use."""
    rows = dict(KeyVersion.objects.filter(key_id=key_id).values_list("version", "state"))
    if not rows:
        _bootstrap(key_id)
        rows = dict(KeyVersion.objects.filter(key_id=key_id).values_list("version", "state"))
    return {int(v): KeyState(s) for v, s in rows.items()}


def rings(*, lock: bool = False) -> tuple[KeyRing, KeyRing]:
    """(KEK ring, token ring) from one query; ``lock`` holds the version rows FOR SHARE until commit.

    The share lock is what keeps a store safe from a concurrent promotion or retirement: those take
    the rows FOR UPDATE, so they wait for in-flight stores (and stores never wait for each other).
    """
    qs = KeyVersion.objects.filter(key_id__in=[KEK, TOKEN_KEY])
    if lock and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT key_id, version, state FROM vault_keyversion WHERE key_id IN (%s, %s) FOR SHARE",
                [KEK, TOKEN_KEY],
            )
            found = cursor.fetchall()
    else:
        found = list(qs.values_list("key_id", "version", "state"))
    by_key: dict[str, dict[int, KeyState]] = {KEK: {}, TOKEN_KEY: {}}
    for key_id, version, state in found:
        by_key[key_id][int(version)] = KeyState(state)
    if not by_key[KEK] or not by_key[TOKEN_KEY]:
        return rings_bootstrapped(lock=lock)
    return KeyRing(provider(), KEK, by_key[KEK]), KeyRing(provider(), TOKEN_KEY, by_key[TOKEN_KEY])


def rings_bootstrapped(*, lock: bool) -> tuple[KeyRing, KeyRing]:
    states(KEK), states(TOKEN_KEY)
    return rings(lock=lock)


def ring(key_id: str) -> KeyRing:
    """The current key ring of ``key_id`` (one query)."""
    return KeyRing(provider(), key_id, states(key_id))


def kek_ring() -> KeyRing:
    return ring(KEK)


def token_ring() -> KeyRing:
    return ring(TOKEN_KEY)
