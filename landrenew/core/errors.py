"""One error hierarchy for the three faces (CLI, API, pages).

Every error carries a stable machine ``code``, an HTTP ``status`` and a message that names the
file, row or field it is about. The CLI prints ``str(error)`` on one line and exits non-zero;
the API turns it into ``{"code": ..., "message": ..., "field": ...}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class LandrenewError(Exception):
    """Base of every error the system raises on purpose."""

    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: Any = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        if code:
            self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        return f"{prefix}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "row": self.row,
            "field": self.field,
        }


class InputError(LandrenewError):
    """Bad input from a user: a file, a parameter, a value."""

    code = "invalid_input"
    status = 422


class ConfigurationError(LandrenewError):
    """Settings or rule packs that cannot be used."""

    code = "configuration"
    status = 500


class NotFound(LandrenewError):
    code = "not_found"
    status = 404


class Conflict(LandrenewError):
    """A state transition or write that the current state forbids."""

    code = "conflict"
    status = 409


class NotAuthenticated(LandrenewError):
    """No valid credentials (401)."""

    code = "not_authenticated"
    status = 401


class PermissionDenied(LandrenewError):
    """The user is known but may not do this (403)."""

    code = "forbidden"
    status = 403


class TooManyAttempts(LandrenewError):
    """Too many failed logins for this user from this address (429)."""

    code = "rate_limited"
    status = 429


class StoreError(LandrenewError):
    code = "store"
    status = 500


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file, named by file, row (feature id) and field."""

    file: str
    row: Any
    field: str | None
    code: str
    message: str
    severity: str = "error"  # "error" refuses the row; "warning" is reported only
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "value": None if self.value is None else str(self.value),
        }


#: The most problems an answer lists (a refused file's, or an import report's warnings): the
#: API's JSON and the import page alike. ``problem_count`` says how many there were; the command
#: line's report file holds them all.
MAX_PROBLEMS = 1000


def problem_listing(problems: list[Problem]) -> dict[str, Any]:
    """``problems`` as every answer lists them: the first :data:`MAX_PROBLEMS` as dicts, in
    order, and ``problem_count``, how many there were."""
    return {"problems": [p.as_dict() for p in problems[:MAX_PROBLEMS]],
            "problem_count": len(problems)}


class ValidationFailed(InputError):
    """Raised by all-or-nothing imports: carries every problem found."""

    code = "validation_failed"

    def __init__(self, message: str, problems: list[Problem], *, file: str | None = None):
        self.problems = problems
        super().__init__(message, file=file)
