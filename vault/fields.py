"""A model field for vault-sealed secrets kept in another app's table (e.g. TOTP seeds).

``SealedBinaryField`` stores the envelope returned by :func:`vault.services.secret_seal`; it does not
encrypt by itself (the associated data needs the row's id, which a field cannot know before saving).
Its purpose is discovery: key rotation finds every sealed column through this class, so a secret
sealed by another app is re-wrapped with everything else, and a key version is retired only when
no sealed column refers to it either.
"""

from __future__ import annotations

from django.db import models


class SealedBinaryField(models.BinaryField):
    """Binary column holding a vault envelope (header, wrapped data key, nonce, ciphertext, tag)."""

    description = "Vault-sealed secret (envelope-encrypted bytes)"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
