"""What each role needs to see first after signing in."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from prb.extensions import db
from prb.models import AgendaItem, Meeting, MinutesVersion, Proposal, User, utcnow
from prb.services import stamped
from prb.services.access import visibility_clause, visibility_key
from prb.services.finance_dashboard import ENDING_SOON_DAYS, RUNNING
from prb.services.proposals import ProposalRow, proposal_rows
from prb.services.sql import written_in
from workflows import PROPOSAL, ItemState, ProposalState, Role
from workflows.proposal import EDITABLE_STATES

LIMIT = 10


@dataclass(frozen=True)
class Panel:
    title: str
    proposals: list[ProposalRow]
    empty: str
    more_status: str | None = None


def _proposals(user: User, panel: Hashable, *conditions, limit: int = LIMIT) -> list[ProposalRow]:  # type: ignore[no-untyped-def]
    """The panel's latest proposals, as the lists print them. Kept while the records are
    unchanged, for everyone who sees the same proposals: `panel` names the conditions (and
    holds whatever besides the user's visibility they depend on)."""
    return stamped.cache("dashboard_panels").get_or_make(
        (panel, visibility_key(user), limit),
        lambda: proposal_rows(
            [visibility_clause(user), *conditions],
            (Proposal.updated_at.desc(), Proposal.id.desc()),
            limit=limit,
        ),
    )


def panels_for(user: User) -> list[Panel]:
    panels: list[Panel] = []
    if user.has_role(Role.CHAIR) and user.chaired_group_ids:
        own = Proposal.working_group_id.in_(user.chaired_group_ids)
        panels.append(
            Panel(
                "Needs my action",
                _proposals(user, "mine to act on", own, Proposal.status.in_(EDITABLE_STATES)),
                "Nothing needs your action: no drafts and no revision requests.",
            )
        )
        panels.append(
            Panel(
                "My proposals and projects",
                _proposals(user, "mine", own, Proposal.status.not_in(EDITABLE_STATES)),
                "Your working groups have no submitted proposals yet.",
            )
        )
    if user.has_role(Role.SECRETARIAT):
        panels.append(
            Panel(
                f"{PROPOSAL.label(ProposalState.SUBMITTED)}: to put under Board review",
                _proposals(user, "submitted", Proposal.status == ProposalState.SUBMITTED),
                "No submitted proposals are waiting for review.",
                more_status=ProposalState.SUBMITTED,
            )
        )
    if user.has_role(Role.BOARD_MEMBER, Role.SECRETARIAT):
        panels.append(
            Panel(
                f"{PROPOSAL.label(ProposalState.UNDER_REVIEW)} by the Board",
                _proposals(user, "under review", Proposal.status == ProposalState.UNDER_REVIEW),
                "No proposals are under review.",
                more_status=ProposalState.UNDER_REVIEW,
            )
        )
    if user.has_role(Role.SECRETARIAT):
        on_agenda = select(AgendaItem.proposal_id).where(
            AgendaItem.status == ItemState.OPEN, AgendaItem.extension_id.is_(None)
        )
        panels.append(
            Panel(
                "Under review: to put on a Board agenda",
                _proposals(
                    user,
                    "under review, not on an agenda",
                    Proposal.status == ProposalState.UNDER_REVIEW,
                    Proposal.id.not_in(on_agenda),
                ),
                "Every proposal under review is on an agenda.",
            )
        )
    if user.has_role(Role.FINANCE):
        panels.append(
            Panel(
                f"{PROPOSAL.label(ProposalState.APPROVED)}: awaiting a commitment of funds",
                _proposals(user, "approved", Proposal.status == ProposalState.APPROVED),
                "No approved project is waiting for a commitment.",
                more_status=ProposalState.APPROVED,
            )
        )
        panels.append(
            Panel(
                f"{PROPOSAL.label(ProposalState.INITIATED)}: awaiting the first disbursement",
                _proposals(user, "initiated", Proposal.status == ProposalState.INITIATED),
                "No initiated project is waiting for its first tranche.",
                more_status=ProposalState.INITIATED,
            )
        )
        today = utcnow().date()
        panels.append(
            Panel(
                f"Ending within {ENDING_SOON_DAYS} days",
                _proposals(
                    user,
                    ("ending", today),
                    Proposal.status.in_(RUNNING),
                    Proposal.current_end >= today,
                    Proposal.current_end <= today + timedelta(days=ENDING_SOON_DAYS),
                ),
                f"No project ends within {ENDING_SOON_DAYS} days.",
            )
        )
    return panels


def minutes_to_finalise(user: User) -> list[Meeting]:
    """Meetings whose every item is closed, one at least decided or deferred (what minutes
    record: a cancelled meeting, all of whose items were withdrawn, has none to finalise),
    and whose minutes are not final yet."""
    if not user.has_role(Role.SECRETARIAT):
        return []
    has_open = select(AgendaItem.meeting_id).where(AgendaItem.status == written_in(ItemState.OPEN))
    has_items = select(AgendaItem.meeting_id).where(
        AgendaItem.status.in_([written_in(ItemState.DECIDED), written_in(ItemState.DEFERRED)])
    )
    finalised = select(MinutesVersion.meeting_id)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.id.in_(has_items),
                Meeting.id.not_in(has_open),
                Meeting.id.not_in(finalised),
            )
            .order_by(Meeting.held_on)
            .limit(LIMIT)
        ).unique()
    )
