"""UN entities (CTED, UNODC, INTERPOL …): users belong to one, projects are led by one."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Entity, User
from prb.services.access import require_administrator
from prb.services.errors import Invalid
from prb.services.once import spend
from prb.services.reference.common import (
    changed,
    flush_unique,
    found,
    offered_rows,
    record,
    require_reader,
    set_retired_row,
    snapshot,
    text_problem,
)
from prb.services.transaction import committed, locked

AUDITED = ("code", "name", "retired_at")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .&/-]*$")
CODE_LIMIT = Entity.__table__.c.code.type.length
NAME_LIMIT = Entity.__table__.c.name.type.length


@dataclass
class EntityInput:
    code: str
    name: str

    def __post_init__(self) -> None:
        self.code = " ".join(self.code.split())
        self.name = " ".join(self.name.split())


def list_entities(actor: User) -> list[Entity]:
    """All entities, retired ones included (they stay on the records that name them)."""
    require_reader(actor, "see the entities")
    return list(db.session.scalars(select(Entity).order_by(Entity.code)))


def get_entity(actor: User, entity_id: int) -> Entity:
    require_reader(actor, "see the entities")
    return found(Entity, entity_id, "entity")


def offered_entities(keep_ids: Collection[int] = ()) -> list[Entity]:
    """Entities in use, plus any retired one the record being edited already names."""
    return offered_rows(Entity, Entity.retired_at.is_(None), keep_ids, Entity.code)


def entity_problems(data: EntityInput, entity_id: int | None = None) -> dict[str, list[str]]:
    """What is wrong with the values, per field ("code", "name"); empty when nothing."""
    errors: dict[str, list[str]] = {}
    problem = text_problem(data.code, "code", CODE_LIMIT)
    if problem is None and not CODE.match(data.code):
        problem = "Use letters, digits, spaces and . & / -, starting with a letter or a digit."
    if problem:
        errors["code"] = [problem]
    else:
        clash = db.session.scalar(
            select(Entity).where(func.lower(Entity.code) == data.code.lower())
        )
        if clash is not None and clash.id != entity_id:
            errors["code"] = [f"{clash.code} is already the code of {clash.name}."]
    problem = text_problem(data.name, "name", NAME_LIMIT)
    if problem:
        errors["name"] = [problem]
    return errors


def _validate(data: EntityInput, entity_id: int | None) -> None:
    errors = entity_problems(data, entity_id)
    if errors:
        raise Invalid("The entity was not saved: please correct the fields marked below.", errors)


def create_entity(actor: User | None, data: EntityInput, *, once: str | None = None) -> Entity:
    """`actor` None: the operator setting up the office at the command line."""
    require_administrator(actor, action="add entities")
    with committed():
        if actor is not None:  # the command line has no form to replay
            spend(once, actor, "create entity")
        entity = add_entity(actor, data)
    return entity


def add_entity(actor: User | None, data: EntityInput, comment: str = "") -> Entity:
    """In the caller's transaction (which has checked who acts): the entity and its audit
    row. The office's first run creates its own entity this way."""
    _validate(data, None)
    entity = Entity(code=data.code, name=data.name)
    db.session.add(entity)
    flush_unique("code", f"{data.code} is already an entity's code.")
    record("entity_created", actor, "entity", entity.id, None, snapshot(entity, AUDITED), comment)
    return entity


def update_entity(actor: User, entity_id: int, data: EntityInput) -> Entity:
    require_administrator(actor, action="edit entities")
    with committed():
        entity = locked(Entity, entity_id, "entity")
        _validate(data, entity.id)
        before = snapshot(entity, AUDITED)
        entity.code, entity.name = data.code, data.name
        flush_unique("code", f"{data.code} is already an entity's code.")
        after = snapshot(entity, AUDITED)
        if changed(before, after):
            record("entity_edited", actor, "entity", entity.id, before, after)
    return entity


def set_retired(actor: User, entity_id: int, retired: bool) -> Entity:
    """Retire (no longer offered for new records) or reinstate an entity."""
    return set_retired_row(
        actor,
        Entity,
        entity_id,
        retired,
        what="entity",
        action="retire or reinstate entities",
        event="entity",
        subject="entity",
        audited=AUDITED,
        name=lambda entity: entity.code,
    )
