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


class AuthenticationError(AssistantError):
    """Wrong user name or password, disabled account, insufficient role."""

    exit_code = 3


class DatabaseError(AssistantError):
    """Database missing, locked, corrupt or of an unknown schema version."""

    exit_code = 4


class ModelPackError(AssistantError):
    """A model pack is missing, incomplete, altered or cannot run."""

    exit_code = 2
