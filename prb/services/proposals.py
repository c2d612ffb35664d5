"""Use cases of a working-group chair's proposal: create, edit, submit, and the lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

from flask import current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.orm.exc import StaleDataError

from prb.extensions import db
from prb.models import (
    Entity,
    FundingProgramme,
    Proposal,
    User,
    WorkingGroup,
)
from prb.services import audit, lifecycle, stamped
from prb.services.access import (
    chairs_group,
    get_visible_proposal,
    visibility_clause,
    visibility_key,
)
from prb.services.errors import Conflict, Invalid, NotAllowed
from prb.services.once import spend

# programmes, working_groups: other pages still read these lists from here.
from prb.services.proposal_choices import (  # noqa: F401
    check_alignment,
    check_call,
    check_entities,
    check_group,
    check_programme,
    programme_codes,
    programmes,
    working_group_names,
    working_groups,
)

# history: the proposal page and the tests read it from here.
from prb.services.proposal_history import history  # noqa: F401
from prb.services.proposal_rules import ProposalInput, validate
from prb.services.transaction import committed
from workflows import ProposalState, ProposalTrigger, Role
from workflows.proposal import EDITABLE_STATES


def _check_and_collect(
    actor: User, data: ProposalInput, *, submit: bool, current: Proposal | None = None
) -> tuple[FundingProgramme | None, list[Entity]]:
    programme = db.session.get(FundingProgramme, data.programme_id) if data.programme_id else None
    errors = validate(
        data,
        for_submission=submit,
        max_budget=current_app.config["MAX_REQUESTED_BUDGET"],
        envelope=programme.envelope if programme else None,
    )
    if data.programme_id is not None and programme is None:
        errors.setdefault("programme_id", []).append("Choose a funding programme from the list.")
    revising = current is not None and current.status != ProposalState.DRAFT
    if revising and current is not None and data.programme_id != current.programme_id:
        errors.setdefault("programme_id", []).append(
            "The Board has seen this proposal under its programme: only the secretariat can "
            "carry it over to another."
        )
    elif programme is not None:
        check_programme(programme, current, errors)
        if not revising:
            check_call(data, programme, current, errors)
        check_alignment(data, programme, current, errors)
    if revising and current is not None and data.working_group_id != current.working_group_id:
        # As its programme: the call's eligible groups, and what the Board reviewed.
        errors.setdefault("working_group_id", []).append(
            "The Board has seen this proposal from its working group: it stays that group's."
        )
    elif data.working_group_id is not None and not chairs_group(actor, data.working_group_id):
        errors.setdefault("working_group_id", []).append(
            "You can only propose for a working group you chair."
        )
    elif data.working_group_id is not None:
        check_group(data.working_group_id, current, errors)
    wanted = set(data.implementing_entity_ids)
    if data.lead_entity_id is not None:
        wanted.add(data.lead_entity_id)
    found = list(db.session.scalars(select(Entity).where(Entity.id.in_(wanted)))) if wanted else []
    known = {e.id for e in found}
    if data.lead_entity_id is not None and data.lead_entity_id not in known:
        errors.setdefault("lead_entity_id", []).append("Choose the lead entity from the list.")
    if set(data.implementing_entity_ids) - known:
        errors.setdefault("implementing_entity_ids", []).append("Choose entities from the list.")
    check_entities(data, found, current, errors)
    if errors:
        raise Invalid("The proposal was not saved: please correct the fields marked below.", errors)
    others = [e for e in found if e.id in set(data.implementing_entity_ids)]
    return programme, [e for e in others if e.id != data.lead_entity_id]


def field_errors(
    actor: User, data: ProposalInput, *, submit: bool, current: Proposal | None = None
) -> dict[str, list[str]]:
    """The messages a save would give, without saving: lets a form that failed to parse
    some fields still show every other problem at once."""
    try:
        _check_and_collect(actor, data, submit=submit, current=current)
    except Invalid as exc:
        return exc.fields
    return {}


def _apply(proposal: Proposal, data: ProposalInput, others: list[Entity]) -> None:
    if proposal.status == ProposalState.DRAFT:
        # Once submitted, a proposal stays in its call (the secretariat may carry it over).
        proposal.call_id = data.call_id
    for name in (
        "programme_id",
        "working_group_id",
        "title",
        "lead_entity_id",
        "objective",
        "description",
        "thematic_area",
        "scope",
        "scope_detail",
        "results_alignment",
        "requested_budget",
        "duration_months",
        "duration_note",
        "planned_start",
    ):
        setattr(proposal, name, getattr(data, name))
    if proposal.scope == "Global":
        proposal.scope_detail = ""
    proposal.implementing_entities = sorted(others, key=lambda e: e.code)
    if inspect(proposal).persistent:
        # The ids changed, not the objects already loaded: read afresh, so that what is said
        # next (the submission's notice) names the group the proposal now has.
        db.session.expire(proposal, ["working_group", "programme", "lead_entity"])


def create_proposal(
    actor: User, data: ProposalInput, *, submit: bool = False, once: str | None = None
) -> Proposal:
    """A chair saves a new proposal as a draft, and submits it at once when `submit`."""
    if not actor.has_role(Role.CHAIR) or not actor.chaired_group_ids:
        raise NotAllowed("Only the chair of a working group can create a proposal.")
    with committed():
        _, others = _check_and_collect(actor, data, submit=submit)
        spend(once, actor, "create proposal")
        proposal = Proposal(created_by=actor, status=ProposalState.DRAFT)
        _apply(proposal, data, others)
        db.session.add(proposal)
        db.session.flush()
        audit.record(
            "created", actor=actor, role=Role.CHAIR, proposal=proposal, to_state=proposal.status
        )
        if submit:
            _submit(proposal, ProposalTrigger.SUBMIT, actor, "The proposal was not saved")
    return proposal


def _submit(proposal: Proposal, trigger: str, actor: User, not_saved: str) -> None:
    try:
        lifecycle.transition(proposal, trigger, actor=actor)
    except Conflict as exc:
        # Refused as a whole (the transaction rolls back): say so, and how to keep the work.
        raise Conflict(f"{exc.message} {not_saved}; “Save draft” keeps it as a draft.") from None


def update_proposal(
    actor: User,
    proposal_id: int,
    data: ProposalInput,
    *,
    seen_version: int | None,
    submit: bool = False,
) -> Proposal:
    """A chair edits her group's draft (or a proposal sent back for revision).

    `seen_version` is the version the form was opened on: saving over someone else's newer
    edit is refused (409) rather than silently losing it.
    """
    try:
        proposal = get_visible_proposal(actor, proposal_id, for_update=True)
        if not chairs_group(actor, proposal.working_group_id):
            raise NotAllowed("Only a chair of this proposal's working group may edit it.")
        if proposal.status not in EDITABLE_STATES:
            raise Conflict(f"This proposal is {proposal.status_label} and can no longer be edited.")
        if seen_version is not None and seen_version != proposal.version:
            raise Conflict(
                "This proposal was changed by someone else after you opened it. "
                "Your changes were not saved; reopen the proposal to see the latest version."
            )
        _, others = _check_and_collect(actor, data, submit=submit, current=proposal)
        _apply(proposal, data, others)
        db.session.flush()
        audit.record("edited", actor=actor, role=Role.CHAIR, proposal=proposal)
        if submit:
            trigger = (
                ProposalTrigger.SUBMIT
                if proposal.status == ProposalState.DRAFT
                else ProposalTrigger.RESUBMIT
            )
            _submit(proposal, trigger, actor, "Your changes were not saved")
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("Someone saved this proposal at the same moment; reopen it.") from None
    except Exception:
        db.session.rollback()
        raise
    return proposal


def can_edit(actor: User, proposal: Proposal) -> bool:
    return proposal.status in EDITABLE_STATES and chairs_group(actor, proposal.working_group_id)


@dataclass(frozen=True)
class ProposalFilter:
    status: str | None = None
    working_group_id: int | None = None
    year: int | None = None
    mine: bool = False


COUNT_CAP = 10_000


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of any list (proposals, the audit trail …)."""

    items: list[T]
    total: int
    page: int
    per_page: int
    more: bool = False  # more than `total` match; only the first `total` can be paged

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


class GroupName(NamedTuple):
    short_name: str


class ProposalRow(NamedTuple):
    """A proposal as the lists show it (macros.proposal_table): the columns they print,
    without loading the whole proposal, its programme, group and entities."""

    id: int
    project_code: str | None
    title: str
    status: str
    requested_budget: Decimal | None
    updated_at: datetime
    working_group: GroupName

    # Proposal's own wording of its codes, not a copy of it.
    reference = property(Proposal.reference.fget)  # type: ignore[attr-defined]
    display_code = property(Proposal.display_code.fget)  # type: ignore[attr-defined]


def proposal_rows(
    conditions: list[Any], order_by: tuple[Any, ...], *, limit: int, offset: int = 0
) -> list[ProposalRow]:
    """The proposals these conditions select, as the lists print them (one statement)."""
    rows = db.session.execute(
        select(
            Proposal.id,
            Proposal.project_code,
            Proposal.title,
            Proposal.status,
            Proposal.requested_budget,
            Proposal.updated_at,
            WorkingGroup.short_name,
        )
        .join(WorkingGroup, WorkingGroup.id == Proposal.working_group_id)
        .where(*conditions)
        .order_by(*order_by)
        .limit(limit)
        .offset(offset)
    )
    groups: dict[str, GroupName] = {}  # one per group shown, not one per row
    return [
        ProposalRow(id_, code, title, status, budget, updated, groups.setdefault(g, GroupName(g)))
        for id_, code, title, status, budget, updated, g in rows
    ]


def list_proposals(actor: User, flt: ProposalFilter, page: int = 1) -> Page[ProposalRow]:
    """Proposals the actor may see, newest first, filtered and paged. Kept while the records
    are unchanged, for everyone who sees the same proposals (`stamped`)."""
    per_page = int(current_app.config["PAGE_SIZE"])
    return stamped.cache("proposal_lists").get_or_make(
        (visibility_key(actor), flt, page, per_page),
        lambda: _list_proposals(actor, flt, page, per_page),
    )


def _list_proposals(
    actor: User, flt: ProposalFilter, page: int, per_page: int
) -> Page[ProposalRow]:
    conditions = [visibility_clause(actor)]
    if flt.mine:
        conditions.append(Proposal.working_group_id.in_(actor.chaired_group_ids or {-1}))
    if flt.status:
        conditions.append(Proposal.status == flt.status)
    if flt.working_group_id:
        conditions.append(Proposal.working_group_id == flt.working_group_id)
    if flt.year:
        conditions.append(Proposal.created_at >= datetime(flt.year, 1, 1, tzinfo=UTC))
        conditions.append(Proposal.created_at < datetime(flt.year + 1, 1, 1, tzinfo=UTC))
    # Counting stops at COUNT_CAP: an exact count of a large portfolio costs a scan on every
    # page view, and nobody pages that far — they filter.
    capped = select(Proposal.id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped)) or 0
    page = max(1, min(page, max(1, -(-min(total, COUNT_CAP) // per_page))))
    items = proposal_rows(
        conditions,
        (Proposal.created_at.desc(), Proposal.id.desc()),
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    return Page(
        items=items,
        total=min(total, COUNT_CAP),
        page=page,
        per_page=per_page,
        more=total > COUNT_CAP,
    )
