"""The parsing layer's rules one by one: what each kind of value accepts and refuses."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms.validators import Optional

from prb.config import load
from prb.web.fields import (
    AmountField,
    CalendarDateField,
    Form,
    MonthsField,
    MultiCheckboxField,
    VersionField,
    parse_id,
    text_problem,
)
from tests.conftest import make_app


class Sample(Form):
    amount = AmountField(places=2, validators=[Optional()])
    on = CalendarDateField(validators=[Optional()])
    months = MonthsField(validators=[Optional()])
    ids = MultiCheckboxField(coerce=parse_id, validate_choice=False)
    version = VersionField()


@pytest.fixture
def sample():  # type: ignore[no-untyped-def]
    app = make_app("sqlite://", DATE_MIN_YEAR=2000, DATE_MAX_YEAR=2030)

    def parse(**values: object) -> Sample:
        with app.test_request_context(method="POST"):
            form = Sample(formdata=MultiDict(values))
            form.validate()
            return form

    return parse


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("Border security", None),
        ("עברית\u200f text", None),  # a direction mark inside real text is fine
        ("   ", None),  # plain spaces: empty, for the service to judge
        ("\u200b\u200b", "invisible"),
        ("\u3164", "invisible"),
        ("\u2800 \u200d", "invisible"),
        ("Title\x07", "control"),
        ("two\nlines", "control"),
        ("tab\there", "control"),
    ],
)
def test_text_on_one_line(value: str, refused: str | None) -> None:
    problem = text_problem(value)
    assert (problem is None) if refused is None else (refused in problem.lower())


def test_a_text_area_takes_line_breaks_and_tabs_but_no_other_control() -> None:
    assert text_problem("one\r\ntwo\tthree", multiline=True) is None
    assert text_problem("bell\x07", multiline=True)


@pytest.mark.parametrize("value", ["0", "-1", "2147483648", "²", "٣", "1_0", "abc", " ", "1e3"])
def test_ids_outside_the_database_integer_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_id(value)


def test_ids_within_bounds() -> None:
    assert parse_id("1") == 1 and parse_id("2147483647") == 2**31 - 1


def test_the_date_range_is_a_setting(sample) -> None:  # type: ignore[no-untyped-def]
    assert sample(on="2030-12-31").on.data == date(2030, 12, 31)
    for value in ("2031-01-01", "1999-12-31", "9999-12-31", "0001-01-01"):
        form = sample(on=value)
        assert form.on.data is None
        assert form.on.errors == ["Enter a date between 2000 and 2030."]


@pytest.mark.parametrize(
    "value", ["1E+1000000", "NaN", "-Infinity", "1e5", "١٠٠", "1,000", "150.000", "0.001"]
)
def test_amounts_are_digits_and_a_point(sample, value: str) -> None:  # type: ignore[no-untyped-def]
    form = sample(amount=value)
    assert form.amount.data is None and form.amount.errors


def test_amounts_within_bounds(sample) -> None:  # type: ignore[no-untyped-def]
    assert str(sample(amount="-100.5").amount.data) == "-100.5"
    assert sample(amount="999999999999.99").amount.errors == []
    assert sample(amount="1000000000000").amount.errors


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999", "1_0", "12.5"])
def test_whole_numbers_are_ascii_and_bounded(sample, value: str) -> None:  # type: ignore[no-untyped-def]
    form = sample(months=value)
    assert form.months.data is None and form.months.errors


def test_a_ticked_box_must_be_a_record_number(sample) -> None:  # type: ignore[no-untyped-def]
    assert sample(ids=["3", "4"]).ids.data == [3, 4]
    form = sample(ids=["3", "abc"])
    assert form.ids.errors == ["Tick only the boxes offered: a value sent is not one of them."]


def test_a_damaged_version_is_an_error_not_a_skipped_check(sample) -> None:  # type: ignore[no-untyped-def]
    assert sample(version="7").version.data == 7
    form = sample(version="²")
    assert form.version.data is None and form.version.errors


def test_the_date_range_is_read_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PRB_DATE_MIN_YEAR", "1980")
    monkeypatch.setenv("PRB_DATE_MAX_YEAR", "2050")
    config: dict[str, object] = {}
    load(config, str(tmp_path), {"SECRET_KEY": "x"})
    assert (config["DATE_MIN_YEAR"], config["DATE_MAX_YEAR"]) == (1980, 2050)
    monkeypatch.setenv("PRB_DATE_MIN_YEAR", "2060")
    with pytest.raises(ValueError, match="PRB_DATE_MIN_YEAR"):
        load({}, str(tmp_path), {"SECRET_KEY": "x"})


@pytest.mark.parametrize(
    "key", ["SHOW_MAIL", "SESSION_COOKIE_SECURE", "SIGNING_LTV", "COMPRESS", "BOARD_CASTING_VOTE"]
)
def test_a_yes_no_setting_written_as_false_is_off_and_an_unknown_word_stops_start_up(
    monkeypatch, tmp_path, key: str
) -> None:
    # Read as text, "false" was true: PRB_SHOW_MAIL=false, as the README's table lists it,
    # opened the development mail page (who has not voted yet, who is recused) in production.
    for text, expected in (("false", False), ("Off", False), ("0", False), ("yes", True)):
        monkeypatch.setenv(f"PRB_{key}", text)
        config: dict[str, object] = {}
        load(config, str(tmp_path), {"SECRET_KEY": "x"})
        assert config[key] is expected, (key, text)
    monkeypatch.setenv(f"PRB_{key}", "maybe")
    with pytest.raises(ValueError, match=f"PRB_{key} must be one of .*not 'maybe'"):
        load({}, str(tmp_path), {"SECRET_KEY": "x"})


def test_the_mail_page_is_off_unless_asked_for(monkeypatch, tmp_path) -> None:
    from prb.services.mail.browse import enabled

    for text, expected in (("false", False), ("true", True)):
        monkeypatch.setenv("PRB_SHOW_MAIL", text)
        config: dict[str, object] = {}
        load(config, str(tmp_path), {"SECRET_KEY": "x"})
        app = Flask(__name__)
        app.config.update(config)
        with app.app_context():
            assert enabled() is expected, text


def test_every_plain_select_of_prbs_forms_is_a_quick_select() -> None:
    """PRB's Form binds its plain selects to QuickSelect (`test_quick_select`: the same
    HTML as WTForms' Select): one escaped, the chosen option marked; multiple selects stay
    WTForms' own."""
    from wtforms import SelectField, SelectMultipleField
    from wtforms.widgets import Select

    from prb.web.quick_select import QuickSelect

    class Pick(Form):
        group = SelectField(coerce=str, validate_choice=False)
        many = SelectMultipleField(coerce=str, validate_choice=False)

    app = make_app("sqlite://")
    with app.test_request_context("/"):
        form = Pick(formdata=MultiDict({"group": "2"}))
        form.group.choices = [("", "All groups"), ("1", "R&D <b>bold</b>"), ("2", "Two")]
        form.many.choices = [("1", "One")]
        assert isinstance(form.group.widget, QuickSelect)
        written = str(form.group())
        assert written == str(Select()(form.group))
        assert '<option selected value="2">Two</option>' in written and "<b>" not in written
        assert type(form.many.widget) is Select
