"""Domain errors, mapped to HTTP status codes at the edge (prb.web.errors)."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    title = "Request refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403
    title = "Not allowed"


class NotFound(DomainError):
    status_code = 404
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    title = "Changed in the meantime"


class Gone(DomainError):
    """Something that existed but can no longer be used (a spent or expired link)."""

    status_code = 410
    title = "No longer valid"


class Invalid(DomainError):
    """Input that breaks a rule; `fields` maps a form field to its messages."""

    status_code = 422
    title = "Please correct the form"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}
