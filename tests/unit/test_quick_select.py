"""QuickSelect writes what WTForms' Select writes, character for character."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired
from wtforms.widgets import Select

from prb.web.quick_select import QuickSelect


def _int_or_none(value: object) -> int | None:
    return None if value in ("", None) else int(value)  # type: ignore[arg-type]


class Filters(Form):
    status = SelectField("Status", validate_choice=True)
    group = SelectField("Group", coerce=_int_or_none, validate_choice=True)
    needed = SelectField("Needed", validators=[InputRequired()])
    flag = SelectField("Flag", coerce=lambda v: v in (True, "True"))


HOSTILE = "a\"b<c>&'d"


def form(data: dict[str, str]) -> Filters:
    f = Filters(MultiDict(data))
    f.status.choices = [("", "Any status"), ("draft", "Draft"), (HOSTILE, HOSTILE), ("x", "")]
    f.group.choices = [("", "Any group"), (1, "Border <Management>"), (22, "Legal & Justice")]
    f.needed.choices = [("a", "A"), ("b", "B")]
    f.flag.choices = [(True, "Yes"), (False, "No")]
    f.validate()
    return f


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"status": "draft", "group": "22"},
        {"status": HOSTILE, "group": "1", "needed": "b", "flag": "True"},
        {"status": "nonsense", "group": "abc"},
    ],
)
def test_same_markup_as_select(data: dict[str, str]) -> None:
    f = form(data)
    for name in ("status", "group", "needed", "flag"):
        field = getattr(f, name)
        for kwargs in ({}, {"class_": "wide", "aria_describedby": "x-hint"}):
            assert QuickSelect()(field, **kwargs) == Select()(field, **kwargs), (name, kwargs)


def test_options_with_attributes_of_their_own_are_left_to_select() -> None:
    f = form({})
    f.status.choices = [SelectChoice("a", "A", render_kw={"disabled": True}), ("b", "B")]
    assert QuickSelect()(f.status) == Select()(f.status)
    assert "disabled" in QuickSelect()(f.status)
