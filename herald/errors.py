"""Herald's error tree. Every message names what was wrong and where, for a marketer to act on."""

from __future__ import annotations


class HeraldError(Exception):
    """Base of all errors Herald reports to a user; `str(err)` is the one-line reason."""

    exit_code = 1


class NotFound(HeraldError):
    exit_code = 3


class Conflict(HeraldError):
    exit_code = 4


class Invalid(HeraldError):
    """Bad input. `where` names the row, field, parameter or position when known."""

    exit_code = 2

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.reason = message
        self.where = where


class Forbidden(HeraldError):
    exit_code = 5


class Unauthorized(HeraldError):
    """Not signed in, or with a key or session that is not (or no longer) good."""

    exit_code = 5
