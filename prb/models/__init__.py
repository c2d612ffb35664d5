"""All tables, importable in one place (Alembic and the services use this)."""

from prb.models.attachment import Attachment, OwnerKind
from prb.models.audit import AuditRecord
from prb.models.board import (
    AgendaItem,
    AgendaItemSnapshot,
    Attendance,
    BoardMembership,
    BoardRules,
    ConflictOfInterest,
    Decision,
    Meeting,
    SnapshotStage,
    Vote,
)
from prb.models.calls import Call, call_working_groups
from prb.models.co_funding import CoFunding
from prb.models.finance import EntryKind, ExtensionRequest, LedgerEntry
from prb.models.imports import ImportBatch
from prb.models.jobs import Job, JobKind, JobState
from prb.models.minutes import MinutesVersion
from prb.models.notifications import Channel, Notification, NotificationPreference
from prb.models.office import Office
from prb.models.outbox import OutboxMessage, OutboxState
from prb.models.progress_report import ProgressReport, ReportKind
from prb.models.proposal import Proposal, Scope, proposal_entities
from prb.models.reference import (
    ChairTerm,
    CodeStyle,
    Entity,
    EnvelopeChange,
    FundingProgramme,
    ResultsOutput,
    WorkingGroup,
    working_group_chairs,
)
from prb.models.reporting import ReportingNote
from prb.models.security import FormToken, PasswordLink, RecoveryCode, SignInAttempt
from prb.models.stamp import RecordStamp, records_stamp, records_stamp_column
from prb.models.totals import PortfolioTotals
from prb.models.types import CENT, Money, UTCDateTime, replayed_at, utcnow
from prb.models.user import User, UserRole

__all__ = [
    "CENT",
    "AgendaItem",
    "AgendaItemSnapshot",
    "Attachment",
    "Attendance",
    "AuditRecord",
    "BoardMembership",
    "BoardRules",
    "Call",
    "ChairTerm",
    "Channel",
    "CoFunding",
    "CodeStyle",
    "ConflictOfInterest",
    "Decision",
    "Entity",
    "EntryKind",
    "EnvelopeChange",
    "ExtensionRequest",
    "FormToken",
    "FundingProgramme",
    "ImportBatch",
    "Job",
    "JobKind",
    "JobState",
    "LedgerEntry",
    "Meeting",
    "MinutesVersion",
    "Money",
    "Notification",
    "NotificationPreference",
    "Office",
    "OutboxMessage",
    "OutboxState",
    "OwnerKind",
    "PasswordLink",
    "PortfolioTotals",
    "ProgressReport",
    "Proposal",
    "RecordStamp",
    "RecoveryCode",
    "ReportKind",
    "ReportingNote",
    "ResultsOutput",
    "Scope",
    "SignInAttempt",
    "SnapshotStage",
    "UTCDateTime",
    "User",
    "UserRole",
    "Vote",
    "WorkingGroup",
    "call_working_groups",
    "proposal_entities",
    "records_stamp",
    "records_stamp_column",
    "replayed_at",
    "utcnow",
    "working_group_chairs",
]
