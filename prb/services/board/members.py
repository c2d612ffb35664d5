"""Who sits on the Board, and who does not vote on an item (recusals)."""

from __future__ import annotations

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Proposal, User, UserRole
from workflows import Role


def board_members() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.BOARD_MEMBER, User.active.is_(True))
            .order_by(User.name)
        ).unique()
    )


def is_board_member(user: User) -> bool:
    return user.active and user.has_role(Role.BOARD_MEMBER)


def automatic_recusal(member: User, proposal: Proposal) -> str | None:
    """A member whose entity leads or implements the project does not vote on it."""
    if proposal.lead_entity_id == member.entity_id:
        return f"{member.entity.code} is the lead entity"
    if any(e.id == member.entity_id for e in proposal.implementing_entities):
        return f"{member.entity.code} is an implementing entity"
    return None


def recusals(item: AgendaItem, members: list[User]) -> dict[int, str]:
    """member id → why she does not vote on this item."""
    reasons: dict[int, str] = {}
    for member in members:
        reason = automatic_recusal(member, item.proposal)
        if reason:
            reasons[member.id] = reason
    for conflict in item.conflicts:
        reasons.setdefault(
            conflict.member_id, f"declared a conflict of interest: {conflict.reason}"
        )
    return reasons
