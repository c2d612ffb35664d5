"""The records a file can belong to: for each owner kind, how to find the record a user may
read, and whether she may attach files to it now. Adding a kind is an
`OwnerKind` value plus one `Owner` builder here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prb.extensions import db
from prb.models import ExtensionRequest, Meeting, OwnerKind, ProgressReport, Proposal, User
from prb.services.access import chairs_group, get_visible_proposal
from prb.services.board.meetings import get_meeting, refuse_if_frozen
from prb.services.errors import Conflict, NotAllowed, NotFound
from workflows import PROPOSAL, ReportState, Role
from workflows.extension import OPEN_EXTENSION_STATES


@dataclass(frozen=True)
class Owner:
    kind: OwnerKind
    id: int
    title: str  # "Proposal UNCCT-2017-73-a — Border security", for the page's heading
    proposal_id: int | None  # the proposal the record belongs to (None: a meeting)
    # None when `actor` may attach files now; otherwise why not (and the status to answer).
    refusal: NotAllowed | Conflict | None

    @property
    def writable(self) -> bool:
        return self.refusal is None

    def require_writable(self) -> None:
        if self.refusal is not None:
            raise self.refusal


def _proposal(actor: User, proposal_id: int, for_update: bool) -> Owner:
    proposal = get_visible_proposal(actor, proposal_id, for_update=for_update)
    refusal: NotAllowed | Conflict | None = None
    if not (chairs_group(actor, proposal.working_group_id) or actor.has_role(Role.SECRETARIAT)):
        refusal = NotAllowed(
            "Only the working group's chairs and the secretariat may attach files to a proposal."
        )
    elif PROPOSAL.state(proposal.status).terminal:
        refusal = Conflict(
            f"The proposal is {proposal.status_label}: files can no longer be attached to it."
        )
    return Owner(OwnerKind.PROPOSAL, proposal.id, _name(proposal), proposal.id, refusal)


def _extension(actor: User, extension_id: int, for_update: bool) -> Owner:
    ext = db.session.get(
        ExtensionRequest, extension_id, with_for_update=_lock(ExtensionRequest, for_update)
    )
    if ext is None:
        raise NotFound(f"There is no extension request number {extension_id}.")
    proposal = get_visible_proposal(actor, ext.proposal_id)  # 404 for another group's chair
    refusal: NotAllowed | Conflict | None = None
    if not (chairs_group(actor, proposal.working_group_id) or actor.has_role(Role.SECRETARIAT)):
        refusal = NotAllowed(
            "Only the working group's chairs and the secretariat may attach files to an "
            "extension request."
        )
    elif ext.status not in OPEN_EXTENSION_STATES:
        refusal = Conflict(
            f"The extension request is {ext.status_label}: files can no longer be attached."
        )
    title = f"Extension request of {_name(proposal)} ({ext.summary})"
    return Owner(OwnerKind.EXTENSION, ext.id, title, proposal.id, refusal)


def _meeting(actor: User, meeting_id: int, for_update: bool) -> Owner:
    meeting = get_meeting(actor, meeting_id)
    if for_update:  # finalising the minutes locks the meeting too
        db.session.refresh(meeting, with_for_update=_lock(Meeting, for_update))
    refusal: NotAllowed | Conflict | None = None
    if not actor.has_role(Role.SECRETARIAT):
        refusal = NotAllowed("Only the secretariat may attach files to a meeting.")
    else:
        try:
            refuse_if_frozen(meeting)  # final minutes: nothing more is attached
        except Conflict as frozen:
            refusal = frozen
    return Owner(OwnerKind.MEETING, meeting.id, f"Meeting {meeting.number}", None, refusal)


def _report(actor: User, report_id: int, for_update: bool) -> Owner:
    report = db.session.get(
        ProgressReport, report_id, with_for_update=_lock(ProgressReport, for_update)
    )
    if report is None:
        raise NotFound(f"There is no report number {report_id}.")
    proposal = get_visible_proposal(actor, report.proposal_id)  # 404 for another group's chair
    refusal: NotAllowed | Conflict | None = None
    if not (chairs_group(actor, proposal.working_group_id) or actor.has_role(Role.SECRETARIAT)):
        refusal = NotAllowed(
            "Only the working group's chairs and the secretariat may attach files to a report."
        )
    elif report.status == ReportState.ACCEPTED:
        # What the secretariat accepted stays as it was accepted.
        refusal = Conflict(f"The {report.summary} is accepted: files can no longer be attached.")
    title = f"{_name(proposal)}: the {report.summary}"
    return Owner(OwnerKind.REPORT, report.id, title, proposal.id, refusal)


def _lock(model: type, for_update: bool) -> dict[str, object] | None:
    # Only the record's own row: its eagerly joined relations may be outer joins, which
    # PostgreSQL does not lock.
    return {"of": model} if for_update else None


def _name(proposal: Proposal) -> str:
    return f"Proposal {proposal.display_code} — {proposal.title}"


_OWNERS: dict[OwnerKind, Callable[[User, int, bool], Owner]] = {
    OwnerKind.PROPOSAL: _proposal,
    OwnerKind.EXTENSION: _extension,
    OwnerKind.MEETING: _meeting,
    OwnerKind.REPORT: _report,
}


def owner(actor: User, kind: str, owner_id: int, *, for_update: bool = False) -> Owner:
    """The record, as `actor` may see it: NotFound (or NotAllowed) exactly where reading the
    record itself would be refused. `for_update`: locked until the transaction ends (a file
    is kept only on a record that is still open when the file's row commits)."""
    try:
        known = OwnerKind(kind)
    except ValueError:
        raise NotFound(f"Files cannot be attached to “{kind}”.") from None
    return _OWNERS[known](actor, owner_id, for_update)
