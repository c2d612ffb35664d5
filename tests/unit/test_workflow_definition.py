"""Every (state, trigger, role) combination of the proposal lifecycle, against a table
written out here by hand from the issue, not derived from the definition under test."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from workflows import PROPOSAL, GuardFailed, ProposalState, ProposalTrigger, Role
from workflows.definition import TransitionRefused
from workflows.proposal import Guard

S, T, R = ProposalState, ProposalTrigger, Role

# trigger: (from states, to state, roles allowed)
EXPECTED: dict[str, tuple[set[str], str, set[Role]]] = {
    T.SUBMIT: ({S.DRAFT}, S.SUBMITTED, {R.CHAIR}),
    T.RESUBMIT: ({S.REVISION_REQUESTED}, S.SUBMITTED, {R.CHAIR}),
    T.WITHDRAW: ({S.SUBMITTED, S.UNDER_REVIEW, S.REVISION_REQUESTED}, S.WITHDRAWN, {R.CHAIR}),
    T.START_REVIEW: ({S.SUBMITTED}, S.UNDER_REVIEW, {R.SECRETARIAT}),
    T.APPROVE: ({S.UNDER_REVIEW}, S.APPROVED, {R.BOARD_DECISION}),
    T.REJECT: ({S.UNDER_REVIEW}, S.REJECTED, {R.BOARD_DECISION}),
    T.REQUEST_REVISION: ({S.UNDER_REVIEW}, S.REVISION_REQUESTED, {R.BOARD_DECISION}),
    T.INITIATE: ({S.APPROVED}, S.INITIATED, {R.FINANCE, R.SECRETARIAT}),
    T.START: ({S.INITIATED}, S.ONGOING, {R.FINANCE, R.SECRETARIAT}),
    T.EXTEND: ({S.ONGOING, S.EXTENDED}, S.EXTENDED, {R.BOARD_DECISION}),
    T.COMPLETE: ({S.ONGOING, S.EXTENDED}, S.COMPLETED, {R.FINANCE, R.SECRETARIAT}),
    T.CANCEL: (
        {S.APPROVED, S.INITIATED, S.ONGOING, S.EXTENDED},
        S.CANCELLED,
        {R.SECRETARIAT},
    ),
}


@dataclass
class Row:
    status: str


class AllPass:
    """Every guard holds: isolates the role-and-state rules."""

    def __getitem__(self, name: str):  # type: ignore[no-untyped-def]
        return lambda row: None

    def __contains__(self, name: object) -> bool:
        return True


class Failing(AllPass):
    def __init__(self, failing: str) -> None:
        self.failing = failing

    def __getitem__(self, name: str):  # type: ignore[no-untyped-def]
        def check(row: Row) -> None:
            if name == self.failing:
                raise GuardFailed(f"{name} does not hold")

        return check


def test_the_definition_has_exactly_the_expected_states_and_triggers() -> None:
    assert set(PROPOSAL.state_names) == {s.value for s in ProposalState}
    assert {t.trigger for t in PROPOSAL.transitions} == set(EXPECTED)
    assert PROPOSAL.initial == S.DRAFT


COMBINATIONS = list(itertools.product(list(ProposalState), list(EXPECTED), list(Role)))


@pytest.mark.parametrize(("state", "trigger", "role"), COMBINATIONS)
def test_every_state_trigger_role_combination(state: str, trigger: str, role: Role) -> None:
    sources, dest, roles = EXPECTED[trigger]
    row = Row(status=str(state))
    allowed = state in sources and role in roles
    if allowed:
        assert PROPOSAL.fire(row, trigger, {role}, AllPass()) == dest
        assert row.status == dest
    else:
        with pytest.raises(TransitionRefused) as refused:
            PROPOSAL.fire(row, trigger, {role}, AllPass())
        assert row.status == state, "a refused trigger must not change the state"
        expected_kind = "role" if role not in roles else "state"
        assert refused.value.refusal.kind == expected_kind
        assert refused.value.refusal.message


# trigger: the guards it must have, written out by hand (an empty set is a claim too: no
# guard may be added to, or left on, a trigger without this table changing).
EXPECTED_GUARDS: dict[str, set[str]] = {
    T.SUBMIT: {Guard.CHAIRS_WORKING_GROUP, Guard.PROPOSAL_COMPLETE, Guard.CALL_OPEN},
    T.RESUBMIT: {Guard.CHAIRS_WORKING_GROUP, Guard.PROPOSAL_COMPLETE},
    T.WITHDRAW: {Guard.CHAIRS_WORKING_GROUP},
    T.START_REVIEW: set(),
    T.APPROVE: set(),
    T.REJECT: set(),
    T.REQUEST_REVISION: set(),
    T.INITIATE: {Guard.HAS_COMMITMENT},
    T.START: {Guard.HAS_FIRST_DISBURSEMENT, Guard.HAS_ACTUAL_START},
    T.EXTEND: set(),
    T.COMPLETE: {Guard.FINAL_REPORT_ACCEPTED, Guard.BALANCE_SETTLED},
    T.CANCEL: set(),
}
PERMISSION_GUARDS = {Guard.CHAIRS_WORKING_GROUP}


class AllFail(AllPass):
    def __getitem__(self, name: str):  # type: ignore[no-untyped-def]
        def check(row: Row) -> None:
            raise GuardFailed(f"{name} does not hold")

        return check


@pytest.mark.parametrize("trigger", list(EXPECTED_GUARDS))
def test_each_trigger_has_exactly_its_guards(trigger: str) -> None:
    assert set(PROPOSAL.transition(trigger).guards) == EXPECTED_GUARDS[trigger]


@pytest.mark.parametrize(
    ("trigger", "guard"),
    [(t, g) for t, gs in EXPECTED_GUARDS.items() for g in sorted(gs)],
)
def test_each_guard_blocks_its_trigger(trigger: str, guard: str) -> None:
    transition = PROPOSAL.transition(trigger)
    role = next(iter(transition.roles))
    for source in transition.sources:
        row = Row(status=source)
        with pytest.raises(TransitionRefused, match=f"{guard} does not hold") as refused:
            PROPOSAL.fire(row, trigger, {role}, Failing(guard))
        assert row.status == source
        # "Not yours" is a permission refusal (403), any other guard the row's (409).
        expected = "permission" if guard in PERMISSION_GUARDS else "guard"
        assert refused.value.refusal.kind == expected


@pytest.mark.parametrize("trigger", [t for t, gs in EXPECTED_GUARDS.items() if not gs])
def test_an_unguarded_trigger_fires_even_when_every_guard_fails(trigger: str) -> None:
    transition = PROPOSAL.transition(trigger)
    role = next(iter(transition.roles))
    for source in transition.sources:
        row = Row(status=source)
        assert PROPOSAL.fire(row, trigger, {role}, AllFail()) == EXPECTED[trigger][1]


def test_permission_guards_come_before_the_state() -> None:
    """A chair of another group is told "not yours" even where the state would refuse too."""
    row = Row(status=S.APPROVED)
    with pytest.raises(TransitionRefused) as refused:
        PROPOSAL.fire(row, T.WITHDRAW, {R.CHAIR}, Failing(Guard.CHAIRS_WORKING_GROUP))
    assert refused.value.refusal.kind == "permission"
    assert refused.value.refusal.not_permitted
    assert set(PROPOSAL.permission_guards) == PERMISSION_GUARDS


def test_guards_named_by_the_issue_are_attached_to_their_triggers() -> None:
    assert Guard.HAS_COMMITMENT in PROPOSAL.transition(T.INITIATE).guards
    assert {Guard.HAS_FIRST_DISBURSEMENT, Guard.HAS_ACTUAL_START} <= set(
        PROPOSAL.transition(T.START).guards
    )
    assert {Guard.FINAL_REPORT_ACCEPTED, Guard.BALANCE_SETTLED} <= set(
        PROPOSAL.transition(T.COMPLETE).guards
    )
    assert Guard.PROPOSAL_COMPLETE in PROPOSAL.transition(T.SUBMIT).guards


def test_no_user_role_can_fire_a_board_decision_trigger() -> None:
    user_roles = {R.CHAIR, R.BOARD_MEMBER, R.FINANCE, R.SECRETARIAT}
    for trigger in (T.APPROVE, T.REJECT, T.REQUEST_REVISION, T.EXTEND):
        assert not PROPOSAL.transition(trigger).roles & user_roles


def test_available_lists_only_what_the_role_may_do_now() -> None:
    row = Row(status=S.SUBMITTED)
    assert [t.trigger for t in PROPOSAL.available(row, {R.SECRETARIAT}, AllPass())] == [
        T.START_REVIEW
    ]
    assert [t.trigger for t in PROPOSAL.available(row, {R.CHAIR}, AllPass())] == [T.WITHDRAW]
    assert PROPOSAL.available(row, {R.BOARD_MEMBER}, AllPass()) == []


class Counting(Failing):
    """Fails one guard, and counts how often each guard is asked."""

    def __init__(self, failing: str) -> None:
        super().__init__(failing)
        self.asked: dict[str, int] = {}

    def __getitem__(self, name: str):  # type: ignore[no-untyped-def]
        check = super().__getitem__(name)

        def counted(row: Row) -> None:
            self.asked[name] = self.asked.get(name, 0) + 1
            check(row)

        return counted


@pytest.mark.parametrize("status", [str(s) for s in S])
def test_actions_are_what_is_available_and_what_a_guard_refuses(status: str) -> None:
    """`actions` (the project page's buttons and the reasons others are missing) agrees with
    `available` and `refusal` for every role and every failing guard, asking each guard of
    a transition once."""
    guards = [*sorted({g for gs in EXPECTED_GUARDS.values() for g in gs}), "none"]
    for role, failing in itertools.product(list(R), guards):
        row = Row(status=status)
        counting = Counting(failing)
        offered, refused = PROPOSAL.actions(row, {role}, counting)
        assert offered == PROPOSAL.available(row, {role}, Failing(failing))
        expected_refused = []
        for t in PROPOSAL.transitions_from(status):
            if role in t.roles:
                refusal = PROPOSAL.refusal(row, t.trigger, {role}, Failing(failing))
                if refusal is not None and refusal.kind == "guard":
                    expected_refused.append((t, refusal.message))
        assert refused == expected_refused
        considered = [t for t in PROPOSAL.transitions_from(status) if role in t.roles]
        for name, times in counting.asked.items():
            assert times <= sum(name in t.guards for t in considered), (role, failing, name)


def test_unknown_trigger_is_refused() -> None:
    with pytest.raises(TransitionRefused) as refused:
        PROPOSAL.fire(Row(S.DRAFT), "teleport", {R.SECRETARIAT}, AllPass())
    assert refused.value.refusal.kind == "unknown"


def test_one_machine_serves_all_rows_and_keeps_none() -> None:
    machine = PROPOSAL._machine
    assert machine is not None
    before = len(machine.models)
    for _ in range(50):
        PROPOSAL.fire(Row(S.SUBMITTED), T.START_REVIEW, {R.SECRETARIAT}, AllPass())
    assert len(machine.models) == before == 0


def test_no_to_state_shortcuts() -> None:
    machine = PROPOSAL._machine
    assert machine is not None
    assert not any(name.startswith("to_") for name in machine.events)


def test_mermaid_diagram_shows_every_transition_with_labels() -> None:
    text = PROPOSAL.mermaid()
    assert text.lstrip("-\n").startswith("Proposal lifecycle") or "stateDiagram" in text
    for t in PROPOSAL.transitions:
        for source in t.sources:
            assert f"{source} --> {t.dest}: {t.trigger}" in text
    for s in PROPOSAL.states:
        assert f'state "{s.label}" as {s.name}' in text


def test_workflows_imports_nothing_of_the_app() -> None:
    import subprocess
    import sys

    code = (
        "import sys, workflows; "
        "bad = [m for m in sys.modules "
        "if m == 'prb' or m.startswith(('prb.', 'flask', 'sqlalchemy'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# -- progress and final reports (workflows/progress_report.py) ---------------------------

from workflows import PROGRESS_REPORT, ReportState, ReportTrigger  # noqa: E402
from workflows.progress_report import ReportGuard  # noqa: E402

RS, RT = ReportState, ReportTrigger
REPORT_EXPECTED: dict[str, tuple[set[str], str, set[Role]]] = {
    RT.ACCEPT: ({RS.SUBMITTED}, RS.ACCEPTED, {R.SECRETARIAT}),
    RT.RETURN: ({RS.SUBMITTED}, RS.RETURNED, {R.SECRETARIAT}),
    RT.RESUBMIT: ({RS.RETURNED}, RS.SUBMITTED, {R.CHAIR}),
}


def test_the_report_workflow_has_exactly_the_expected_states_and_triggers() -> None:
    assert set(PROGRESS_REPORT.state_names) == {s.value for s in ReportState}
    assert {t.trigger for t in PROGRESS_REPORT.transitions} == set(REPORT_EXPECTED)
    assert PROGRESS_REPORT.initial == RS.SUBMITTED
    assert [s.name for s in PROGRESS_REPORT.states if s.terminal] == [RS.ACCEPTED]
    assert PROGRESS_REPORT.transition(RT.RETURN).comment_required
    assert set(PROGRESS_REPORT.transition(RT.RESUBMIT).guards) == {ReportGuard.CHAIRS_WORKING_GROUP}
    assert PROGRESS_REPORT.permission_guards == {ReportGuard.CHAIRS_WORKING_GROUP}


@pytest.mark.parametrize(
    ("state", "trigger", "role"),
    list(itertools.product(list(ReportState), list(REPORT_EXPECTED), list(Role))),
)
def test_every_report_state_trigger_role_combination(state: str, trigger: str, role: Role) -> None:
    sources, dest, roles = REPORT_EXPECTED[trigger]
    row = Row(status=str(state))
    if state in sources and role in roles:
        assert PROGRESS_REPORT.fire(row, trigger, {role}, AllPass()) == dest
    else:
        with pytest.raises(TransitionRefused) as refused:
            PROGRESS_REPORT.fire(row, trigger, {role}, AllPass())
        assert row.status == state
        assert refused.value.refusal.kind == ("role" if role not in roles else "state")


def test_a_chair_of_another_group_may_not_resubmit() -> None:
    row = Row(status=RS.RETURNED)
    with pytest.raises(TransitionRefused) as refused:
        PROGRESS_REPORT.fire(row, RT.RESUBMIT, {R.CHAIR}, Failing(ReportGuard.CHAIRS_WORKING_GROUP))
    assert refused.value.refusal.kind == "permission"
