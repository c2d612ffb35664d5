"""Who may see which proposal. Every read of a proposal goes through here."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, false, or_, select

from prb.extensions import db
from prb.models import Proposal, User
from prb.services.errors import NotAllowed, NotFound
from workflows import ProposalState, Role

# Roles that see the whole portfolio (all but other groups' drafts).
PORTFOLIO_ROLES = (Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE)
# Roles that read the office's set-up — reference data, calls, the Board's members and
# rules — which only an administrator changes.
SET_UP_READERS = (Role.ADMINISTRATOR, *PORTFOLIO_ROLES)


def visibility_clause(user: User):  # type: ignore[no-untyped-def]
    """SQL condition: the proposals `user` may read.

    Drafts belong to their working group's chairs alone; submitted and later proposals are
    open to the board, the secretariat and finance; a chair sees her own groups' proposals.
    """
    own = (
        Proposal.working_group_id.in_(user.chaired_group_ids) if user.chaired_group_ids else false()
    )
    if user.has_role(*PORTFOLIO_ROLES):
        return or_(Proposal.status != ProposalState.DRAFT, own)
    if user.has_role(Role.CHAIR):
        return own
    return false()


def visibility_key(user: User) -> tuple[bool, bool, frozenset[int]]:
    """Everything `visibility_clause` depends on: two people with the same key see the same
    proposals (what may be shared between them in a cache)."""
    return (
        user.has_role(*PORTFOLIO_ROLES),
        user.has_role(Role.CHAIR),
        frozenset(user.chaired_group_ids),
    )


def visible_proposals(user: User) -> Select[tuple[Proposal]]:
    return select(Proposal).where(visibility_clause(user))


def get_visible_proposal(user: User, proposal_id: int, *, for_update: bool = False) -> Proposal:
    """The proposal, or NotFound when it does not exist *or* the user may not see it, so an id
    guessed from another group's draft tells nothing."""
    stmt = visible_proposals(user).where(Proposal.id == proposal_id)
    if for_update:
        # Lock only the proposal row: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the outer joins that the eager relationships add.
        stmt = stmt.with_for_update(of=Proposal)
        stmt = stmt.execution_options(populate_existing=True)
    proposal = db.session.scalars(stmt).unique().one_or_none()
    if proposal is None:
        raise NotFound(f"There is no proposal number {proposal_id} that you can see.")
    return proposal


def any_of(roles: Iterable[Role]) -> str:
    """ "an administrator", "a secretariat or administrator": who holds one of `roles`."""
    who = " or ".join(r.label.lower() for r in roles)
    return ("an " if who[:1] in "aeiou" else "a ") + who


def require_role(user: User, *roles: Role, action: str) -> None:
    if not user.has_role(*roles):
        raise NotAllowed(f"Only {any_of(roles)} may {action}.")


def require_administrator(actor: User | None, *, action: str) -> None:
    """An administrator keeps the office's set-up. `actor` None is the operator at the
    command line (first run, imports), who has the server's shell anyway."""
    if actor is not None:
        require_role(actor, Role.ADMINISTRATOR, action=action)


def chairs_group(user: User, working_group_id: int) -> bool:
    return user.has_role(Role.CHAIR) and working_group_id in user.chaired_group_ids
