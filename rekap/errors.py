"""Errors that end a command with exit code 2 and one readable line (no traceback)."""

from __future__ import annotations


class RekapError(Exception):
    """Nothing trustworthy can be produced: bad usage or unreadable input.

    `message` is one line naming the file (and row/column/value when there is one);
    `hint` optionally tells the user which flag or command fixes it. Both come from the message
    catalogue (`rekap.i18n._`), in the language of the process.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(RekapError):
    """An input file cannot be read as a table rekap understands."""


class UsageError(RekapError):
    """Options that do not fit together, or an unknown name."""


class WriteError(RekapError):
    """An output could not be written: `message` names the file (in the output language, from the
    catalogue: this module imports no texts), `reason` is the system's words for it ("No space left on
    device")."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
