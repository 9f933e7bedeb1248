"""The vault's audit action codes (autodiscovered by the audit app)."""

from audit.actions import register

IDENTIFIER_STORED = register("vault.identifier.stored", "An identifier was validated, tokenised and encrypted")
IDENTIFIER_REVEALED = register(
    "vault.identifier.revealed", "The plaintext of a stored identifier was revealed, for a stated purpose"
)
IDENTIFIER_REVEAL_DENIED = register(
    "vault.identifier.reveal_denied", "A reveal was refused (permission, step-up, purpose or rate limit)"
)
KEY_ADDED = register("vault.key.added", "A new key version was created (active, not yet primary)")
KEY_PROMOTED = register("vault.key.promoted", "A key version became primary")
KEY_RETIRED = register("vault.key.retired", "A key version was retired (nothing referred to it any more)")
ROTATION_STARTED = register("vault.rotation.started", "A re-wrap or re-tokenise job was started")
ROTATION_FINISHED = register("vault.rotation.finished", "A re-wrap or re-tokenise job completed or failed")
