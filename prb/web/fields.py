"""The bounded parsing layer of the forms: every value a browser sends is parsed here, within
bounds, before a service sees it. What cannot be parsed is a message next to its field (and
a 422 from the view), never an exception deeper down: an id beyond the database's integer,
an amount like 1E+1000000, a date in the year 9999, text with control characters or made
only of invisible characters.

The services still decide what is allowed; this layer only keeps what no service could
mean out of their arithmetic, their queries and the record."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, Select, SubmitInput

from prb.services.errors import Invalid
from prb.services.typed_text import direction_problem
from prb.web.quick_select import QuickSelect

MAX_ID = 2**31 - 1  # database integer keys (PostgreSQL's integer; SQLite's is wider)
# Beyond any budget, and keeps NaN, Infinity and 1E+999999 out of the arithmetic.
MAX_AMOUNT = Decimal("1000000000000")
DATE_MIN_YEAR, DATE_MAX_YEAR = 1990, 2100  # defaults of PRB_DATE_MIN_YEAR / PRB_DATE_MAX_YEAR

# Shown by WTForms when a choice cannot be read; said the way PRB says things.
_MESSAGES = {
    "Invalid Choice: could not coerce.": "Choose one of the options offered: the value sent "
    "is not one of them.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Tick only the boxes "
    "offered: a value sent is not one of them.",
    "Not a valid choice.": "Choose one of the options offered.",
    "Not a valid integer value.": "Enter a whole number.",
}


class _Translations:
    def gettext(self, string: str) -> str:
        return _MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


QUICK_SELECT = QuickSelect()


# A page often holds several forms, each with its CSRF and one-time tokens and its button,
# and nothing labels those: an id (WTForms gives each its name) would only be repeated on
# the page, which HTML forbids. A template that needs one to point at passes it.
class _WithoutId:
    def __call__(self, field: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("id", False)  # html_params leaves out an attribute that is False
        return super().__call__(field, **kwargs)  # type: ignore[misc]


class _HiddenWithoutId(_WithoutId, HiddenInput):
    pass


class _SubmitWithoutId(_WithoutId, SubmitInput):
    pass


UNLABELLED = {HiddenInput: _HiddenWithoutId(), SubmitInput: _SubmitWithoutId()}


class Form(FlaskForm):
    """Every form of PRB: its text fields refuse control characters and text made only of
    invisible characters, and WTForms' own parse messages are said in PRB's words."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _Translations:
            return _Translations()

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field = super().bind_field(form, unbound_field, options)
            # Every plain select of PRB's forms is written by QuickSelect (the same HTML,
            # a fraction of WTForms' time), not only the lists' filters.
            if type(field.widget) is Select and not field.widget.multiple:
                field.widget = QUICK_SELECT
            field.widget = UNLABELLED.get(type(field.widget), field.widget)
            return field

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            # Any field whose value is text: inputs, text areas, hidden fields and the
            # pick lists that are a text box when there is no list.
            if isinstance(field.data, str) and not isinstance(field, PasswordField):
                problem = text_problem(field.data, multiline=isinstance(field, TextAreaField))
                if problem:
                    field.errors = [*field.errors, problem]
                    valid = False
        return valid


# Characters that print nothing although they are not white space (Hangul fillers, the
# braille blank); with the format characters (zero-width space, joiners, direction marks)
# a text made only of these looks empty on the page but is not empty in the record.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(char: str) -> bool:
    return char.isspace() or char in _BLANKS or unicodedata.category(char) in ("Cf", "Cc")


def text_problem(value: object, multiline: bool = False) -> str | None:
    """Why a text cannot be taken as typed, or None. A single line takes no control
    character at all (a tab or line break there would break tables, CSV cells and PDFs);
    a text area takes tabs and line breaks. Plain white space alone is left to the services,
    which treat it as empty."""
    if not isinstance(value, str) or not value:
        return None
    allowed = "\t\n\r" if multiline else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        return "Remove the control characters (invisible characters that are not text)."
    if problem := direction_problem(value):
        return problem
    if all(_invisible(c) for c in value) and value.strip():
        return "Type visible text: this is made only of invisible characters."
    return None


def parse_id(value: object) -> int:
    """A record's key as a form or query string sends it: ASCII digits within the
    database's integer range. Raises ValueError otherwise."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        raise ValueError(f"not a record number: {text[:20]!r}")
    number = int(text)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"not a record number: {number}")
    return number


def _int_or_none(value: object) -> int | None:
    """A key chosen in a select, or None for nothing chosen. Anything else is refused
    (ValueError: the field's message), so that nonsense never passes for "none"."""
    if value in (None, "", "None"):
        return None
    return parse_id(value)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _FriendlyParse:
    """Replaces WTForms' terse parse errors with a message that says what to type."""

    parse_message = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            self.data = None
            raise ValueError(self.parse_message) from None


_AMOUNT = re.compile(r"[+-]?(?=\.?[0-9])[0-9]{0,30}(\.[0-9]{0,30})?", re.ASCII)


class AmountField(_FriendlyParse, DecimalField):
    parse_message = "Enter an amount in US dollars, for example 150000.00."
    limit = MAX_AMOUNT

    def process_formdata(self, valuelist: list[str]) -> None:
        # Digits and a point only: no exponent (1E+1000000 overflows the arithmetic before
        # any bound is checked), no NaN or Infinity, no other scripts' digits.
        if valuelist and valuelist[0].strip() and not _AMOUNT.fullmatch(valuelist[0].strip()):
            self.data = None
            raise ValueError(self.parse_message)
        places = 2 if self.places is None else self.places
        if valuelist and len(valuelist[0].strip().partition(".")[2]) > places:
            # As typed, not as parsed: "150.000" (150,000 with a European separator) would
            # pass as 150.00, since Decimal("150.000") equals it.
            self.data = None
            raise ValueError(
                "Give dollars and cents: two decimals at most (150000.00, not 150.000)."
                if places == 2
                else f"Give at most {places} decimals."
            )
        super().process_formdata(valuelist)
        if self.data is not None and (not self.data.is_finite() or abs(self.data) >= self.limit):
            self.data = None
            raise ValueError("Enter an amount in US dollars below USD 1,000,000,000,000.")


class _BoundedInt(_FriendlyParse, IntegerField):
    """A whole number typed in ASCII digits within generous bounds; the service holds the
    real limits."""

    low, high = -9_999, 9_999
    range_message = ""

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist and not _ascii_int(valuelist[0]):
            self.data = None
            raise ValueError(self.parse_message)
        super().process_formdata(valuelist)
        if self.data is not None and not self.low <= self.data <= self.high:
            self.data = None
            raise ValueError(self.range_message)


def _ascii_int(text: str) -> bool:
    """int() takes "٣" and "1_000"; a form's number is ASCII digits with an optional sign."""
    digits = text.strip().removeprefix("-").removeprefix("+")
    return text.strip() == "" or (digits.isascii() and digits.isdigit() and len(digits) <= 9)


class MonthsField(_BoundedInt):
    parse_message = "Enter a whole number of months, for example 12."
    range_message = "Enter a number of months between 1 and 60."


class DaysField(_BoundedInt):
    parse_message = "Enter a whole number of days, for example 14."
    range_message = "Enter a number of days between 1 and 90."


class YearField(_BoundedInt):
    parse_message = "Enter a year, for example 2018."

    def process_formdata(self, valuelist: list[str]) -> None:
        low, high = year_range()
        self.low, self.high = low, high
        self.range_message = f"Enter a year between {low} and {high}."
        super().process_formdata(valuelist)


def year_range() -> tuple[int, int]:
    """The years a date typed into PRB may fall in (PRB_DATE_MIN_YEAR, PRB_DATE_MAX_YEAR)."""
    config = current_app.config
    return int(config.get("DATE_MIN_YEAR", DATE_MIN_YEAR)), int(
        config.get("DATE_MAX_YEAR", DATE_MAX_YEAR)
    )


def date_problem(value: date | datetime | None) -> str | None:
    low, high = year_range()
    if value is not None and not low <= value.year <= high:
        return f"Enter a date between {low} and {high}."
    return None


class _DateInRange(_FriendlyParse):
    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        problem = date_problem(self.data)  # type: ignore[attr-defined]
        if problem:
            self.data = None
            raise ValueError(problem)


class CalendarDateField(_DateInRange, DateField):
    parse_message = "Enter a real date as year-month-day, for example 2019-01-01."


class UTCDateTimeField(_DateInRange, DateTimeLocalField):
    parse_message = "Enter a date and time, for example 2018-12-14 17:00."


class VersionField(HiddenField):
    """The version of a record the form was drawn from (optimistic locking): a number PRB
    wrote into the page, so anything else means the form was tampered with or damaged."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None
        if valuelist and valuelist[0] != "":
            try:
                self.data = parse_id(valuelist[0]) if valuelist[0] != "0" else 0
            except ValueError:
                raise ValueError(
                    "The form was damaged (its version number is unreadable): reload the "
                    "page and make your changes again."
                ) from None


def first_error(form: Form) -> str:
    """A form's first problem as one line for the top of a page, for the small forms whose
    fields sit among others' (a comment box under a button)."""
    for field in form:
        for message in field.errors:
            return f"{field.label.text}: {message}"
    return "The form could not be read."


def require_valid(form: Form) -> None:
    """For the views that read a small form and let the service judge the rest: what this
    layer could not parse is refused like a service's Invalid (422, its message on the page),
    so that it never reaches the service as if the field had been left empty."""
    if not form.validate():
        raise Invalid(first_error(form))
