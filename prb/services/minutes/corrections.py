"""What a corrigendum may correct, and the facts as corrected. Pure: plain values in, plain
values out.

Once the minutes are final, the meeting is frozen and its decisions are append-only. A
corrigendum therefore carries the corrected facts itself (stored with its version in
`minutes_versions.corrections`) and every later rendering — the corrigendum's PDF, the draft,
the meeting page — prints them, marked as corrected. It may correct how the record *reads*:
the place, who chaired, an item's title as printed. It may not change what the Board decided
(outcome, tally, budget, period, conditions) nor the meeting's date, which each decision
carries as its own date: those need a new decision of the Board."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from prb.services.errors import Invalid

PLACE_MAX = 200
TITLE_MAX = 300


@dataclass(frozen=True)
class Facts:
    """The facts a corrigendum may correct, as the record currently prints them."""

    place: str
    chair: str
    titles: Mapping[int, str] = field(default_factory=dict)  # item position → title


@dataclass(frozen=True)
class Corrected:
    """A fact as corrected: the value to print, the value it replaced, and which version
    corrected it ("Corrigendum 1")."""

    now: str
    was: str
    by: str


@dataclass(frozen=True)
class CorrectedFacts:
    """The corrections in force in a version of the minutes (all corrigenda up to it)."""

    place: Corrected | None = None
    chair: Corrected | None = None
    titles: Mapping[int, Corrected] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.place or self.chair or self.titles)

    def apply(self, facts: Facts) -> Facts:
        return Facts(
            place=self.place.now if self.place else facts.place,
            chair=self.chair.now if self.chair else facts.chair,
            titles={
                position: self.titles[position].now if position in self.titles else title
                for position, title in facts.titles.items()
            },
        )


def changes(current: Facts, wanted: Facts, *, chairs: Iterable[str]) -> dict[str, object]:
    """The corrections that turn `current` (as printed now, earlier corrigenda applied) into
    `wanted`, as stored with the corrigendum: {"place": {"was", "now"}, "chair": {…},
    "titles": {"<position>": {…}}}. Unchanged facts are left out. `chairs`: the names of the
    members who sat on the Board on the meeting's date (only they can have chaired it)."""
    errors: dict[str, list[str]] = {}
    stored: dict[str, object] = {}
    place = " ".join(wanted.place.split())
    if place != current.place:
        if not place:
            errors["place"] = ["Say where the meeting took place."]
        elif len(place) > PLACE_MAX:
            errors["place"] = [f"Keep the place under {PLACE_MAX} characters."]
        else:
            stored["place"] = {"was": current.place, "now": place}
    if wanted.chair != current.chair:
        if wanted.chair not in set(chairs):
            errors["chair"] = ["Choose a member who sat on the Board on the meeting's date."]
        else:
            stored["chair"] = {"was": current.chair, "now": wanted.chair}
    titles: dict[str, dict[str, str]] = {}
    for position, was in current.titles.items():
        title = " ".join(wanted.titles.get(position, was).split())
        if title == was:
            continue
        if not title:
            errors[f"title_{position}"] = ["An item needs a title."]
        elif len(title) > TITLE_MAX:
            errors[f"title_{position}"] = [f"Keep the title under {TITLE_MAX} characters."]
        else:
            titles[str(position)] = {"was": was, "now": title}
    if titles:
        stored["titles"] = titles
    if errors:
        raise Invalid("Nothing was finalised: correct the highlighted facts.", errors)
    return stored


def summary(stored: Mapping[str, object]) -> str:
    """A sentence naming each correction, for the corrigendum's note and the audit trail."""
    parts = []
    for key, label in (("place", "Place"), ("chair", "Chair")):
        change = stored.get(key)
        if isinstance(change, Mapping):
            parts.append(f"{label} corrected from “{change['was']}” to “{change['now']}”.")
    titles = stored.get("titles")
    if isinstance(titles, Mapping):
        for position in sorted(titles, key=int):
            change = titles[position]
            parts.append(
                f"Title of item {position} corrected from “{change['was']}” to “{change['now']}”."
            )
    return " ".join(parts)


def in_force(versions: Iterable[tuple[str, Mapping[str, object] | None]]) -> CorrectedFacts:
    """Merge the corrections of (label, corrections) pairs in version order: a later
    corrigendum's correction of the same fact wins, keeping what the record first said."""
    place: Corrected | None = None
    chair: Corrected | None = None
    titles: dict[int, Corrected] = {}

    def merged(previous: Corrected | None, change: Mapping[str, str], label: str) -> Corrected:
        return Corrected(
            now=change["now"], was=previous.was if previous else change["was"], by=label
        )

    for label, stored in versions:
        if not stored:
            continue
        if isinstance(change := stored.get("place"), Mapping):
            place = merged(place, change, label)
        if isinstance(change := stored.get("chair"), Mapping):
            chair = merged(chair, change, label)
        if isinstance(stored_titles := stored.get("titles"), Mapping):
            for position, change in stored_titles.items():
                titles[int(position)] = merged(titles.get(int(position)), change, label)
    return CorrectedFacts(place=place, chair=chair, titles=titles)
