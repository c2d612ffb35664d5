"""Who acts in PRB. Roles are part of the workflow definition because triggers name them."""

from enum import StrEnum


class Role(StrEnum):
    CHAIR = "chair"
    BOARD_MEMBER = "board_member"
    FINANCE = "finance"
    SECRETARIAT = "secretariat"
    # Keeps the office's set-up: accounts and roles, reference data, the Board's members and
    # rules, calls. Distinct from the secretariat (one person may hold both).
    ADMINISTRATOR = "administrator"
    # Not a person: the Board acting through a recorded decision (vote tally). Only the
    # decision service fires triggers as this actor, so no user can approve by a click.
    BOARD_DECISION = "board_decision"
    # Not a person either: PRB itself, closing a written procedure at its deadline.
    SCHEDULER = "scheduler"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.CHAIR: "Working-group chair",
    Role.BOARD_MEMBER: "Board member",
    Role.FINANCE: "Finance officer",
    Role.SECRETARIAT: "Secretariat",
    Role.ADMINISTRATOR: "Administrator",
    Role.BOARD_DECISION: "Board decision",
    Role.SCHEDULER: "PRB (deadline)",
}

# Roles a user account can hold.
ASSIGNABLE_ROLES: tuple[Role, ...] = (
    Role.CHAIR,
    Role.BOARD_MEMBER,
    Role.FINANCE,
    Role.SECRETARIAT,
    Role.ADMINISTRATOR,
)
