"""The vocabulary of a workflow definition and the `transitions` machine built from it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from transitions import Machine, MachineError

from workflows.roles import Role


@dataclass(frozen=True)
class State:
    name: str
    label: str
    description: str
    terminal: bool = False


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    label: str
    roles: frozenset[Role]
    # Names of preconditions; the application supplies one check per name.
    guards: tuple[str, ...] = ()
    comment_required: bool = False
    # Whoever fires it may give the day it took effect, when it is recorded after the fact
    # (blank: today); reports as at a date read that day.
    effective_date: bool = False
    # Wording on the button, and the confirmation shown in the history.
    button: str = ""
    style: str = "primary"


class GuardFailed(Exception):
    """A precondition of a trigger does not hold; the message says which and why."""


class GuardChecks(Protocol):
    """What the application supplies: one callable per guard name, raising GuardFailed."""

    def __getitem__(self, name: str) -> Callable[[Any], None]: ...

    def __contains__(self, name: object) -> bool: ...


@dataclass
class Workflow:
    name: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    model_attribute: str = "status"
    subject: str = "proposal"  # what the messages call a row of this workflow
    # Guards about *who* acts (e.g. "chairs this working group"), not about the row's state:
    # their failure is a permission refusal (403), checked before the state, never reported
    # as a conflict (409) — "not yours" is not "changed in the meantime".
    permission_guards: frozenset[str] = frozenset()
    _machine: Machine | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        names = {s.name for s in self.states}
        if self.initial not in names:
            raise ValueError(f"initial state {self.initial!r} is not a state")
        seen: set[str] = set()
        for t in self.transitions:
            if t.trigger in seen:
                raise ValueError(f"trigger {t.trigger!r} defined twice")
            seen.add(t.trigger)
            unknown = ({t.dest} | set(t.sources)) - names
            if unknown:
                raise ValueError(f"trigger {t.trigger!r} names unknown states {unknown}")
        named = {g for t in self.transitions for g in t.guards}
        if self.permission_guards - named:
            raise ValueError(f"permission guards {self.permission_guards - named} guard nothing")
        # ONE machine per workflow, shared by every row: rows are passed to the event, never
        # registered with add_model (which would keep every row alive for ever).
        self._machine = Machine(
            model=None,
            states=[str(s.name) for s in self.states],
            transitions=[
                {
                    "trigger": str(t.trigger),
                    "source": [str(x) for x in t.sources],
                    "dest": str(t.dest),
                    "conditions": [_passes_checks],
                }
                for t in self.transitions
            ],
            initial=None,
            auto_transitions=False,
            model_attribute=self.model_attribute,
            send_event=True,
        )

    # -- lookup -------------------------------------------------------------------------
    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def transition(self, trigger: str) -> Transition:
        for t in self.transitions:
            if t.trigger == trigger:
                return t
        raise KeyError(trigger)

    def label(self, state_name: str) -> str:
        return self.state(state_name).label

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states)

    def transitions_from(self, state_name: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if state_name in t.sources)

    def triggers_for_roles(self, roles: Iterable[Role]) -> tuple[Transition, ...]:
        held = set(roles)
        return tuple(t for t in self.transitions if t.roles & held)

    # -- decisions ----------------------------------------------------------------------
    def refusal(
        self,
        row: Any,
        trigger: str,
        roles: Iterable[Role],
        guards: GuardChecks,
    ) -> Refusal | None:
        """Why `roles` may not fire `trigger` on `row` now, or None when they may."""
        try:
            t = self.transition(trigger)
        except KeyError:
            return Refusal("unknown", f"There is no action called {trigger!r}.")
        if not t.roles & set(roles):
            if t.roles == {Role.BOARD_DECISION}:
                return Refusal(
                    "role", f"“{t.label}” happens only through a recorded Board decision."
                )
            who = " or ".join(sorted(r.label.lower() for r in t.roles))
            return Refusal("role", f"Only a {who} may “{t.label.lower()}”.")
        # Who acts before what state the row is in: a stranger learns "not yours", not the
        # row's status, and never gets a 409 for what is a 403.
        for name in t.guards:
            if name in self.permission_guards:
                try:
                    guards[name](row)
                except GuardFailed as exc:
                    return Refusal("permission", str(exc))
        current = getattr(row, self.model_attribute)
        if current not in t.sources:
            needed = " or ".join(self.label(s) for s in t.sources)
            return Refusal(
                "state",
                f"“{t.label}” is not possible while the {self.subject} is {self.label(current)}; "
                f"it needs the status {needed}.",
            )
        for name in t.guards:
            if name in self.permission_guards:
                continue
            try:
                guards[name](row)
            except GuardFailed as exc:
                return Refusal("guard", str(exc))
        return None

    def available(self, row: Any, roles: Iterable[Role], guards: GuardChecks) -> list[Transition]:
        """The transitions these roles may fire on `row` right now (buttons on the page)."""
        held = set(roles)
        current = getattr(row, self.model_attribute)
        return [
            t
            for t in self.transitions
            if current in t.sources
            and t.roles & held
            and self.refusal(row, t.trigger, held, guards) is None
        ]

    def actions(
        self, row: Any, roles: Iterable[Role], guards: GuardChecks
    ) -> tuple[list[Transition], list[tuple[Transition, str]]]:
        """What a page offers on `row`: the transitions these roles may fire now, and those
        their role could fire in this state but a guard refuses now, with the guard's reason.
        Each transition's guards are asked once (`available` and a second pass would ask
        them twice, and a guard may read the database)."""
        held = set(roles)
        offered: list[Transition] = []
        refused: list[tuple[Transition, str]] = []
        for t in self.transitions_from(getattr(row, self.model_attribute)):
            if not t.roles & held:
                continue
            refusal = self.refusal(row, t.trigger, held, guards)
            if refusal is None:
                offered.append(t)
            elif refusal.kind == "guard":
                refused.append((t, refusal.message))
        return offered, refused

    def fire(self, row: Any, trigger: str, roles: Iterable[Role], guards: GuardChecks) -> str:
        """Move `row` along `trigger` through the `transitions` machine; returns the new state.

        The machine's condition is `refusal()`, so nothing reaches the new state without the
        role and every guard passing, and the reason is kept for the message. The caller owns
        the database transaction: it is the undo when anything after this fails.
        """
        assert self._machine is not None
        current = getattr(row, self.model_attribute)
        if isinstance(current, Enum):
            # `transitions` looks Enum states up by member name; PRB's states are their values.
            setattr(row, self.model_attribute, str(current.value))
        verdict: list[Refusal] = []
        if trigger not in self._machine.events:
            raise TransitionRefused(Refusal("unknown", f"There is no action called {trigger!r}."))
        try:
            moved = self._machine.events[trigger].trigger(
                row, workflow=self, roles=frozenset(roles), guards=guards, verdict=verdict
            )
        except MachineError as exc:
            refusal = self.refusal(row, trigger, roles, guards)
            raise TransitionRefused(refusal or Refusal("state", str(exc))) from exc
        if not moved:
            raise TransitionRefused(
                verdict[0] if verdict else Refusal("guard", "The conditions are not met.")
            )
        return str(getattr(row, self.model_attribute))

    # -- diagram ------------------------------------------------------------------------
    def mermaid(self, title: str | None = None) -> str:
        """Mermaid state diagram from transitions' GraphMachine (no graphviz needed)."""
        from transitions.extensions import GraphMachine

        class _Sketch:
            pass

        sketch = _Sketch()
        GraphMachine(
            model=sketch,
            states=[str(s.name) for s in self.states],
            transitions=[
                {
                    "trigger": str(t.trigger),
                    "source": [str(x) for x in t.sources],
                    "dest": str(t.dest),
                }
                for t in self.transitions
            ],
            initial=str(self.initial),
            auto_transitions=False,
            graph_engine="mermaid",
            title=title or self.name,
            show_state_attributes=False,
        )
        text: str = sketch.get_graph().draw(None)  # type: ignore[attr-defined]
        # The sketch "is" in the initial state; the app's diagram shows no current state.
        text = text.replace(f"Class {self.initial} s_active", f"Class {self.initial} s_default")
        for s in self.states:
            text = text.replace(f'state "{s.name}" as {s.name}', f'state "{s.label}" as {s.name}')
        return text


@dataclass(frozen=True)
class Refusal:
    # "unknown" | "role" | "permission" (a permission guard) | "state" | "guard"; "role" and
    # "permission" are the actor's (403), "state" and "guard" the row's (409).
    kind: str
    message: str

    @property
    def not_permitted(self) -> bool:
        return self.kind in ("role", "permission")


class TransitionRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _passes_checks(event: Any) -> bool:
    workflow: Workflow = event.kwargs["workflow"]
    refusal = workflow.refusal(
        event.model, event.event.name, event.kwargs["roles"], event.kwargs["guards"]
    )
    if refusal is not None:
        event.kwargs["verdict"].append(refusal)
    return refusal is None
