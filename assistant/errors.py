"""Project exceptions that a user can cause, each with an exit code and a message saying what to do."""

from __future__ import annotations


class AssistantError(Exception):
    """Base for errors a user can cause; the CLI prints the message and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInputError(AssistantError):
    """Malformed file, unknown option value, out-of-range calculator input."""

    exit_code = 2


class OrphanEntriesError(BadInputError):
    """A file's entries refer to a patient in neither the file nor the database."""


class AuthenticationError(AssistantError):
    """Wrong user name or password, disabled account, insufficient role."""

    exit_code = 3


class DatabaseError(AssistantError):
    """Database missing, locked, corrupt or of an unknown schema version."""

    exit_code = 4


class ModelPackError(AssistantError):
    """A model pack is missing, incomplete, altered or cannot run."""

    exit_code = 2


class DiskFullError(DatabaseError):
    """The disk (or the database's size limit) is full: the unfinished change was rolled back."""


class DatabaseLockedError(DatabaseError):
    """Another session holds the write lock longer than this one waits."""


def failure_kind(error: Exception) -> str:
    """'full', 'locked', 'readonly', 'io' or 'other', from SQLite's own message text (the same
    across the sqlite3 and SQLCipher bindings)."""
    low = str(error).lower()
    for kind, words in (("full", ("disk is full",)), ("locked", ("locked", "busy")),
                        ("readonly", ("readonly", "read-only")), ("io", ("disk i/o",))):
        if any(w in low for w in words):
            return kind
    return "other"


def database_failure(where: str, error: Exception, *, writing: bool = False) -> DatabaseError:
    """The project error for an SQLite failure, saying what happened and whether the data are
    intact: a full disk or a lock is not damage, and must not send anyone to restore a backup."""
    text = str(error)
    kind = failure_kind(error)
    if kind == "full":
        return DiskFullError(
            f"{where}: the disk holding the database is full ({text}); the database is intact"
            + (" and nothing of this change was stored" if writing else "")
            + ": free space on that disk and retry")
    if kind == "locked":
        return DatabaseLockedError(
            f"{where}: the database is locked by another session (the app or another command is "
            f"writing; {text}); nothing was changed: retry when it has finished")
    if kind == "readonly":
        return DatabaseError(f"{where}: the database cannot be written ({text}); its file or folder "
                             "is read-only, or it was replaced under this session (restore, rekey): "
                             "close and open it again")
    if kind == "io":
        return DatabaseError(f"{where}: the disk reported an input/output error ({text}); check the "
                             "disk, then run `assistant doctor`")
    return DatabaseError(f"{where}: not a readable database for this key file ({text}); the file is "
                         "corrupt or belongs to another key file: restore from a backup")
