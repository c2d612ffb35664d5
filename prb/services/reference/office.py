"""The office that runs the Board — its name, and the line under it on the minutes (a
centre within the office) — which heads the minutes and every report PDF. `prb setup` names
it after the office's entity; an administrator changes it under Administration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from prb.extensions import db
from prb.models import Office, User
from prb.services.access import require_administrator
from prb.services.errors import Invalid
from prb.services.reference.common import changed, record, snapshot, text_problem
from prb.services.transaction import committed

AUDITED = ("name", "unit")
LIMIT = Office.__table__.c.name.type.length
ROW = 1


@dataclass(frozen=True)
class OfficeName:
    name: str
    unit: str = ""

    @classmethod
    def typed(cls, name: str, unit: str) -> OfficeName:
        return cls(" ".join(name.split()), " ".join(unit.split()))


def current_office() -> OfficeName:
    """As the PDFs print it; no name (a database set up without `prb setup`) prints none."""
    row = db.session.get(Office, ROW)
    return OfficeName(row.name, row.unit) if row is not None else OfficeName("")


def _problems(office: OfficeName) -> dict[str, list[str]]:
    errors = {}
    if problem := text_problem(office.name, "office's name", LIMIT):
        errors["name"] = [problem]
    if problem := text_problem(office.unit, "line under it", LIMIT, required=False):
        errors["unit"] = [problem]
    return errors


def name_office(actor: User | None, office: OfficeName, comment: str = "") -> None:
    """In the caller's transaction, which has checked who acts (`actor` None: the operator
    at the command line): the office's name and unit, and the audit's line if they changed."""
    if errors := _problems(office):
        raise Invalid("The office was not saved: please correct the fields marked.", errors)
    row = db.session.scalars(select(Office).where(Office.id == ROW).with_for_update()).first()
    before = snapshot(row, AUDITED) if row is not None else None
    if row is None:
        row = Office(id=ROW)
        db.session.add(row)
    row.name, row.unit = office.name, office.unit
    after = snapshot(row, AUDITED)
    if before is None or changed(before, after):
        record("office_named", actor, "office", ROW, before, after, comment)


def change_office(actor: User, office: OfficeName) -> OfficeName:
    require_administrator(actor, action="change the office's name")
    with committed():
        name_office(actor, office)
    return office
