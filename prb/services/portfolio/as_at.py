"""A project's status and period as they stood on a past date, reconstructed from the
records that carry effective dates. Pure: plain values in, plain values out, no database.

What dates what (see docs/portfolio-as-at.md):
- approved: the Board's decision date (`Decision.decided_on`), for imported projects the
  decision date the file gave (`approved_at`);
- initiated: the first commitment's value date in the ledger (one reversed before the project
  was initiated excepted: see `records.project_records`);
- ongoing: `actual_start`;
- extended: an approved extension once its new period has begun (and it was decided);
- completed / cancelled: the day that transition took effect, from its audit record (PRB
  writes one in the same transaction as the transition, with the day given when it was
  recorded after the fact; `final_report_on` is optional, so not relied on).

Projects entered without such records (imported, or set up before dates were kept) fall
back to their period: a milestone the project has reached today but has no dated record
for is dated from the period's start (initiated, ongoing), the day after the original end
(extended) or the current end / final report (completed, cancelled).

What a project takes from its programme's envelope on a day (`taken_on`, for the minutes'
envelope as at a meeting) follows the same dates: from its approval, until its cancellation,
with additional funds from the decision granting them and payments by value date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from workflows import ProposalState as S

# Today's statuses that imply the project got that far.
INITIATED_OR_LATER = frozenset({S.INITIATED, S.ONGOING, S.EXTENDED, S.COMPLETED})
_ONGOING_OR_LATER = frozenset({S.ONGOING, S.EXTENDED, S.COMPLETED})
_ENDED = frozenset({S.COMPLETED, S.CANCELLED})
ACTIVE = frozenset({S.INITIATED, S.ONGOING, S.EXTENDED})


@dataclass(frozen=True)
class Extension:
    """An approved extension: its new period, and the day the Board granted it (None when
    unknown, e.g. an extension approved before decisions were dated)."""

    period_start: date
    new_end: date
    decided_on: date | None = None

    @property
    def in_force_from(self) -> date:
        return max(self.period_start, self.decided_on or self.period_start)


@dataclass(frozen=True)
class ProjectRecord:
    """What the record holds about one project, as plain values."""

    status_today: S
    approved_on: date | None
    first_commitment_on: date | None = None
    actual_start: date | None = None
    period_start: date | None = None
    original_end: date | None = None
    current_end: date | None = None
    final_report_on: date | None = None
    ended_on: date | None = None  # the completion's or cancellation's effective day
    extensions: tuple[Extension, ...] = field(default=())


@dataclass(frozen=True)
class Timeline:
    """The days each status began (None: never, as far as the record goes)."""

    approved_on: date | None
    initiated_on: date | None
    ongoing_on: date | None
    extensions: tuple[Extension, ...]
    ended: S | None
    ended_on: date | None

    @property
    def active_from(self) -> date | None:
        days = [d for d in (self.initiated_on, self.ongoing_on) if d is not None]
        return min(days) if days else None


def timeline(record: ProjectRecord) -> Timeline:
    status = record.status_today
    initiated_on = record.first_commitment_on
    if initiated_on is None and status in INITIATED_OR_LATER:
        initiated_on = record.actual_start or record.period_start
    ongoing_on = record.actual_start
    if ongoing_on is None and status in _ONGOING_OR_LATER:
        ongoing_on = record.period_start
    if record.approved_on is not None:
        # A project is nothing in an overview before the Board approved it, whatever day its
        # work or period began (the 2018 report's -a started 1 January, approved 10 January).
        initiated_on = _not_before(initiated_on, record.approved_on)
        ongoing_on = _not_before(ongoing_on, record.approved_on)
    if initiated_on is not None:
        # Nor ongoing before it was initiated (the lifecycle starts only an initiated
        # project), whatever day its work began: an actual start typed before the first
        # commitment made the overview show it ongoing with nothing committed.
        ongoing_on = _not_before(ongoing_on, initiated_on)
    extensions = record.extensions
    if record.original_end is not None:
        # An extension PRB holds no request for (imported with the project): from the
        # original end to the end the first recorded request extended — or to today's end
        # when there is none. Dropped once a later request was recorded, it made the
        # overview as at a day between them lose the imported extension.
        reached = (
            extensions[0].period_start - timedelta(days=1) if extensions else record.current_end
        )
        if reached is not None and reached > record.original_end:
            earlier = Extension(record.original_end + timedelta(days=1), reached)
            extensions = (earlier, *extensions)
    ended = status if status in _ENDED else None
    ended_on = None
    if ended is not None:
        ended_on = record.ended_on or record.final_report_on or record.current_end
        ended_on = ended_on or record.approved_on
    return Timeline(record.approved_on, initiated_on, ongoing_on, extensions, ended, ended_on)


def _not_before(day: date | None, earliest: date) -> date | None:
    return None if day is None else max(day, earliest)


@dataclass(frozen=True)
class AsAt:
    """A project's status on a day, and its period then (end None: no period recorded)."""

    status: S | None  # None: not yet approved on that day
    period_start: date | None
    period_end: date | None
    extended: bool  # an extension was in force (its period is the one shown)


def _on(day: date | None, as_at: date) -> bool:
    return day is not None and day <= as_at


def status_as_at(record: ProjectRecord, as_at: date) -> AsAt:
    line = timeline(record)
    in_force = [e for e in line.extensions if e.in_force_from <= as_at]
    period_end = max(e.new_end for e in in_force) if in_force else record.original_end
    status: S | None
    if line.ended is not None and _on(line.ended_on, as_at):
        status = line.ended
    elif in_force and status_was_extended(record) and _on(line.active_from, as_at):
        status = S.EXTENDED
    elif _on(line.ongoing_on, as_at):
        status = S.ONGOING
    elif _on(line.initiated_on, as_at):
        status = S.INITIATED
    elif _on(line.approved_on, as_at):
        status = S.APPROVED
    else:
        status = None
    return AsAt(status, record.period_start, period_end, bool(in_force))


def status_was_extended(record: ProjectRecord) -> bool:
    """Whether the record shows an extension: an approved request, or (imported) today's
    status. An imported project whose current end lies past its original end but whose
    status says Ongoing keeps that status; only its period shows the later end."""
    return bool(record.extensions) or record.status_today == S.EXTENDED


def in_year(record: ProjectRecord, year: int, as_at: date) -> bool:
    """Initiated, ongoing or extended at some time in `year`, as far as the record went on
    `as_at` (funds committed by then, not completed or cancelled before the year)."""
    return _in_year(timeline(record), year, as_at)


def _in_year(line: Timeline, year: int, as_at: date) -> bool:
    window_end = min(date(year, 12, 31), as_at)
    started = line.active_from
    if started is None or started > window_end:
        return False
    ended_before = line.ended_on is not None and line.ended_on < date(year, 1, 1)
    # Cancelled before the funds were ever committed: never active.
    if line.ended_on is not None and line.ended_on < started:
        return False
    return not ended_before


class Place(StrEnum):
    LISTED = "listed"  # a row of the overview: active in the year
    PENDING = "pending"  # approved, not yet initiated on the as-at date


def place_in_overview(record: ProjectRecord, year: int, as_at: date) -> Place | None:
    """Where the overview of `year` as at `as_at` shows the project, if at all."""
    line = timeline(record)
    if _in_year(line, year, as_at):
        return Place.LISTED
    if _approved_not_initiated(line, year, as_at):
        return Place.PENDING
    return None


def approved_not_initiated(record: ProjectRecord, year: int, as_at: date) -> bool:
    """Approved by the end of `year` (and by `as_at`), not yet initiated nor ended on
    `as_at`."""
    return _approved_not_initiated(timeline(record), year, as_at)


def _approved_not_initiated(line: Timeline, year: int, as_at: date) -> bool:
    if not _on(line.approved_on, min(date(year, 12, 31), as_at)):
        return False
    if _on(line.active_from, as_at):
        return False
    return not _on(line.ended_on, as_at)


@dataclass(frozen=True)
class Funding:
    """What a project takes from its programme's envelope, with the dates that change it:
    its approved budget today (any extension's additional funds included), what it was paid
    (net of returns) today, the additional funds by the day the Board granted them, and the
    net payments by value date."""

    record: ProjectRecord
    budget: Decimal
    paid: Decimal
    added: tuple[tuple[date, Decimal], ...] = ()
    payments: tuple[tuple[date, Decimal], ...] = ()


def taken_now(funding: Funding) -> Decimal:
    """As the envelope counts it today: the approved budget; a cancelled project, only what
    it was paid."""
    return funding.paid if funding.record.status_today == S.CANCELLED else funding.budget


def taken_on(funding: Funding, as_at: date) -> Decimal:
    """As the envelope counted it at the end of `as_at`: nothing before the approval (the
    decision's date: a decision dated that day counts, whichever meeting took it); then the
    approved budget less the additional funds granted later; once cancelled (the day of its
    record, as the overview dates it), what it had been paid by then. A project with no
    dated approval counts as it stands today: no record puts it later."""
    line = timeline(funding.record)
    if line.approved_on is None:
        return taken_now(funding)
    if not _on(line.approved_on, as_at):
        return Decimal("0.00")
    if line.ended == S.CANCELLED and _on(line.ended_on, as_at):
        return funding.paid - sum((a for d, a in funding.payments if d > as_at), Decimal(0))
    return funding.budget - sum((a for d, a in funding.added if d > as_at), Decimal(0))
