"""All tables, importable in one place (Alembic and the services use this)."""

from prb.models.audit import AuditRecord
from prb.models.board import AgendaItem, Attendance, ConflictOfInterest, Decision, Meeting, Vote
from prb.models.finance import EntryKind, ExtensionRequest, LedgerEntry
from prb.models.minutes import MinutesVersion
from prb.models.proposal import Proposal, Scope, proposal_entities
from prb.models.reference import Entity, FundingProgramme, WorkingGroup, working_group_chairs
from prb.models.security import FormToken, SignInAttempt
from prb.models.totals import PortfolioTotals
from prb.models.types import CENT, Money, UTCDateTime, utcnow
from prb.models.user import User, UserRole

__all__ = [
    "CENT",
    "AgendaItem",
    "Attendance",
    "AuditRecord",
    "ConflictOfInterest",
    "Decision",
    "Entity",
    "EntryKind",
    "ExtensionRequest",
    "FormToken",
    "FundingProgramme",
    "LedgerEntry",
    "Meeting",
    "MinutesVersion",
    "Money",
    "PortfolioTotals",
    "Proposal",
    "Scope",
    "SignInAttempt",
    "UTCDateTime",
    "User",
    "UserRole",
    "Vote",
    "WorkingGroup",
    "proposal_entities",
    "utcnow",
    "working_group_chairs",
]
