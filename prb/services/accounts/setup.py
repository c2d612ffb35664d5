"""The office's first run: on a database without any account, its own entity and its first
administrator, who then sets her password through a link and does the rest in the browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Entity, User
from prb.services.accounts import password_links
from prb.services.accounts.people import email_problem, name_problem, new_account, record_created
from prb.services.errors import Conflict, Invalid
from prb.services.reference.entities import EntityInput, add_entity, entity_problems
from prb.services.reference.office import OfficeName, name_office
from prb.services.transaction import committed
from workflows import Role


@dataclass(frozen=True)
class OfficeSetUp:
    entity: Entity
    entity_created: bool
    administrator: User
    link: password_links.IssuedLink


def set_up_office(
    *,
    entity_code: str,
    entity_name: str,
    email: str,
    name: str,
    also_secretariat: bool,
    valid_for: timedelta,
) -> OfficeSetUp:
    """Only on a database without accounts: once anyone exists, accounts are made in the
    browser by an administrator. Reuses the entity when its code exists already."""
    with committed():
        if db.session.scalar(select(func.count(User.id))):
            raise Conflict(
                "This database already has user accounts, so it is set up: an administrator "
                "adds accounts in the browser (Users), or with `prb users create`."
            )
        errors: dict[str, list[str]] = {}
        wanted = EntityInput(entity_code, entity_name)
        email, problem = email_problem(email, user_id=None)
        if problem:
            errors["email"] = [problem]
        if problem := name_problem(name):
            errors["name"] = [problem]
        entity = db.session.scalar(
            select(Entity).where(func.upper(Entity.code) == wanted.code.upper())
        )
        if entity is None:
            # The entity's own rules, with the command's option names.
            for field, messages in entity_problems(wanted).items():
                errors[f"entity_{field}"] = messages
        if errors:
            raise Invalid("Nothing was set up.", errors)
        created = entity is None
        if entity is None:
            entity = add_entity(None, wanted, comment="first run (prb setup)")
        # The office's own entity names it on the minutes and reports (changed later under
        # Administration → Office).
        name_office(None, OfficeName(entity.name), comment="first run (prb setup)")
        roles = {Role.ADMINISTRATOR} | ({Role.SECRETARIAT} if also_secretariat else set())
        administrator = new_account(email, name, entity, roles)
        record_created(administrator, None, "first administrator (prb setup)")
        # No rules of procedure yet: `board.ensure_rules` makes the first version from the
        # settings when the first meeting needs it, effective from that meeting's date (so
        # the office can still enter meetings held before today).
        link = password_links.issue(administrator, actor=None, valid_for=valid_for)
    return OfficeSetUp(entity, created, administrator, link)
