"""The errors storage raises for its callers.

Rules: every message is one line a person can act on, and never contains a password.
"""


class StorageError(Exception):
    """Base of every error that storage reports to its callers."""


class DatabaseConfigError(StorageError):
    """FRONTDESK_DATABASE_URL (or a URL given in code) cannot be used."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached or opened, or it failed while in use."""


class ConflictError(StorageError):
    """A write broke a rule of the schema: a duplicate unique value, a missing referenced row, the append-only
    audit log... The transaction was rolled back."""


class LeaseLostError(StorageError):
    """A claimed row was claimed again by another worker after its lease expired."""


class NotFoundError(StorageError):
    """A row that the caller named does not exist."""


class InvalidValueError(StorageError, ValueError):
    """A value is outside what the schema allows (an unknown kind, state, level, field...)."""


class AttachmentTooLargeError(StorageError):
    """A file is larger than the attachment store accepts."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"attachment is larger than the limit of {_bytes(limit)} ({size:,} bytes read)")
        self.size = size
        self.limit = limit


class AttachmentTypeBlockedError(StorageError):
    """A file's content is of a type the attachment store refuses (an executable, a script)."""

    def __init__(self, content_type: str) -> None:
        super().__init__(f"attachment content is {content_type}, a type that is not accepted")
        self.content_type = content_type


def _bytes(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count:,} bytes"
