"""Declarative lifecycles of PRB, importable without Flask or a database.

Everything about states, triggers, who may fire them and which guards apply lives here;
the application, its pages and its diagram are derived from these definitions.
"""

from workflows.board import AGENDA_ITEM, ItemState, ItemTrigger, MeetingKind, VoteChoice
from workflows.call import CallPhase
from workflows.definition import GuardFailed, State, Transition, Workflow
from workflows.extension import EXTENSION, ExtensionState, ExtensionTrigger
from workflows.progress_report import PROGRESS_REPORT, ReportState, ReportTrigger
from workflows.proposal import PROPOSAL, ProposalState, ProposalTrigger
from workflows.roles import ASSIGNABLE_ROLES, Role

__all__ = [
    "AGENDA_ITEM",
    "ASSIGNABLE_ROLES",
    "EXTENSION",
    "PROGRESS_REPORT",
    "PROPOSAL",
    "CallPhase",
    "ExtensionState",
    "ExtensionTrigger",
    "GuardFailed",
    "ItemState",
    "ItemTrigger",
    "MeetingKind",
    "ProposalState",
    "ProposalTrigger",
    "ReportState",
    "ReportTrigger",
    "Role",
    "State",
    "Transition",
    "VoteChoice",
    "Workflow",
]
