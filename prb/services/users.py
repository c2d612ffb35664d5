"""User accounts (kept for older imports): the code lives in `prb.services.accounts`."""

from __future__ import annotations

from prb.services.accounts.people import (
    UserInput,
    create_user,
    get_user,
    list_users,
    update_user,
)
from prb.services.accounts.sign_in import (
    authenticate,
    record_refusal,
    record_sign_in,
    record_sign_in_failed,
    record_sign_in_refused,
    sign_out,
)

__all__ = [
    "UserInput",
    "authenticate",
    "create_user",
    "get_user",
    "list_users",
    "record_refusal",
    "record_sign_in",
    "record_sign_in_failed",
    "record_sign_in_refused",
    "sign_out",
    "update_user",
]
