"""The error raised when an identifier fails validation."""

from __future__ import annotations


class IdentifierValidationError(ValueError):
    """An identifier failed a named check; the message never repeats the value.

    ``check`` is a stable machine-readable name such as ``iban.checksum`` or
    ``mrz.birth_date_check_digit``; ``field`` names the input field for an API error envelope.
    """

    code = "invalid_identifier"

    def __init__(self, check: str, message: str, *, field: str = "value") -> None:
        super().__init__(f"{message} (check: {check})")
        self.check = check
        self.message = message
        self.field = field
