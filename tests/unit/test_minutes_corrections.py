"""The pure rules of what a corrigendum corrects."""

from __future__ import annotations

import pytest

from prb.services.errors import Invalid
from prb.services.minutes.corrections import Facts, changes, in_force, summary

NOW = Facts(place="New York", chair="Ana", titles={1: "Biometrics", 2: "Strategies"})
CHAIRS = ["Ana", "Ben"]


def test_only_what_changed_is_stored() -> None:
    wanted = Facts(place="New  York ", chair="Ana", titles={1: "Biometrics", 2: "Strategy"})
    assert changes(NOW, wanted, chairs=CHAIRS) == {
        "titles": {"2": {"was": "Strategies", "now": "Strategy"}}
    }


def test_nothing_changed_stores_nothing() -> None:
    assert changes(NOW, NOW, chairs=CHAIRS) == {}


@pytest.mark.parametrize(
    ("wanted", "field"),
    [
        (Facts(place="", chair="Ana", titles={1: "Biometrics", 2: "Strategies"}), "place"),
        (Facts(place="x" * 201, chair="Ana", titles={}), "place"),
        (Facts(place="New York", chair="Zoe", titles={}), "chair"),
        (Facts(place="New York", chair="Ana", titles={1: " "}), "title_1"),
    ],
)
def test_bad_corrections_are_refused_by_field(wanted: Facts, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        changes(NOW, wanted, chairs=CHAIRS)
    assert field in refused.value.fields


def test_later_corrigenda_win_and_keep_the_first_reading() -> None:
    merged = in_force(
        [
            ("Final", None),
            ("Corrigendum 1", {"place": {"was": "New York", "now": "Geneva"}}),
            ("Corrigendum 2", {"place": {"was": "Geneva", "now": "Vienna"}}),
        ]
    )
    assert merged.place is not None
    assert (merged.place.now, merged.place.was, merged.place.by) == (
        "Vienna",
        "New York",
        "Corrigendum 2",
    )
    assert merged.apply(NOW).place == "Vienna" and merged.apply(NOW).chair == "Ana"


def test_the_summary_names_each_correction() -> None:
    text = summary(
        {"chair": {"was": "Ana", "now": "Ben"}, "titles": {"2": {"was": "a", "now": "b"}}}
    )
    assert text == "Chair corrected from “Ana” to “Ben”. Title of item 2 corrected from “a” to “b”."
