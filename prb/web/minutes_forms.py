"""The form that finalises minutes or issues a corrigendum. A corrigendum's form carries the
facts it may correct (see prb.services.minutes.corrections), one title field per minuted
item, so the form class is built for the meeting at hand."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, StringField
from wtforms.validators import Length

from prb.models import Meeting, MinutesVersion
from prb.services import minutes
from prb.services.minutes.corrections import PLACE_MAX, TITLE_MAX, Facts
from prb.web.forms import MinutesForm, options


def title_field(position: int) -> str:
    return f"title_{position}"


def minutes_form(
    meeting: Meeting, formdata: Any = None, *, stored: list[MinutesVersion] | None = None
) -> MinutesForm:
    """The finalise form; once the minutes are final, the corrigendum form, prefilled with
    the facts as the record prints them now (earlier corrigenda applied). `formdata=None`
    draws it empty of input, for the meeting page; `stored`: the versions, when the caller
    has them already."""
    stored = minutes.versions(meeting) if stored is None else stored
    if not stored:
        return MinutesForm(formdata=formdata)
    printed = minutes.corrected_facts(stored).apply(minutes.printed_facts(meeting))
    chairs = minutes.chairs_on(meeting)
    if printed.chair and printed.chair not in chairs:
        chairs = [printed.chair, *chairs]

    class CorrigendumForm(MinutesForm):
        chair = SelectField(
            "Chair",
            default=printed.chair,
            choices=options((n, n) for n in chairs),
            validate_choice=False,
        )

    if not meeting.is_written_procedure:
        # A written procedure has no place to print.
        CorrigendumForm.place = StringField(  # type: ignore[attr-defined]
            "Place", default=printed.place, validators=[Length(max=PLACE_MAX)]
        )
    for position, title in printed.titles.items():
        setattr(
            CorrigendumForm,
            title_field(position),
            StringField(
                f"Title of item {position}", default=title, validators=[Length(max=TITLE_MAX)]
            ),
        )
    form = CorrigendumForm(formdata=formdata)
    form.printed = printed  # type: ignore[attr-defined]
    form.item_titles = [form[title_field(position)] for position in printed.titles]  # type: ignore[attr-defined]
    return form


def wanted_facts(form: MinutesForm) -> Facts | None:
    """The facts as the corrigendum form asks them to read (None: the finalise form)."""
    printed: Facts | None = getattr(form, "printed", None)
    if printed is None:
        return None
    titles = {}
    for name, field in form._fields.items():
        if name.startswith("title_") and name[len("title_") :].isdigit():
            titles[int(name[len("title_") :])] = field.data or ""
    place = form.place.data or "" if "place" in form else printed.place
    return Facts(place=place, chair=form.chair.data or "", titles=titles)
