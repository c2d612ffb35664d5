"""Entities: the list, adding and renaming one, retiring it from new records."""

from __future__ import annotations

from flask import flash, render_template, request
from flask_login import current_user

from prb.services.errors import Conflict, Invalid
from prb.services.reference import entities
from prb.services.reference.common import READERS
from prb.web.access import roles_required
from prb.web.declare import reads_form
from prb.web.forms import show_errors
from prb.web.reference import ADMIN, bp, redirect_saved
from prb.web.reference_forms import EntityForm


@bp.route("/entities")
@roles_required(*READERS)
def entity_list(status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "admin/reference/entities.html",
        entities=entities.list_entities(current_user),
        may_edit=current_user.has_role(ADMIN),
    ), status


def _entity_form(entity_id: int | None):  # type: ignore[no-untyped-def]
    entity = entities.get_entity(current_user, entity_id) if entity_id else None
    form = EntityForm(obj=entity if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        data = entities.EntityInput(code=form.code.data or "", name=form.name.data or "")
        try:
            if entity is None:
                saved = entities.create_entity(current_user, data, once=form.once.data)
            else:
                saved = entities.update_entity(current_user, entity.id, data)
        except Invalid as exc:
            show_errors(form, exc)
            status = 422
        except Conflict as exc:
            flash(exc.message, "error")
            form.once.renew()
            status = 409
        else:
            return redirect_saved(f"Entity {saved.code} saved.", ".entity_list")
    elif request.method == "POST":
        status = 422
    return render_template("admin/reference/entity_form.html", form=form, entity=entity), status


@bp.route("/entities/new", methods=["GET", "POST"])
@reads_form(EntityForm)
@roles_required(ADMIN)
def new_entity():  # type: ignore[no-untyped-def]
    return _entity_form(None)


@bp.route("/entities/<int:entity_id>", methods=["GET", "POST"])
@reads_form(EntityForm)
@roles_required(ADMIN)
def edit_entity(entity_id: int):  # type: ignore[no-untyped-def]
    return _entity_form(entity_id)


@bp.route("/entities/<int:entity_id>/retire", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def retire_entity(entity_id: int):  # type: ignore[no-untyped-def]
    return _retire_entity(entity_id, True)


@bp.route("/entities/<int:entity_id>/reinstate", methods=["POST"])
@reads_form(None)
@roles_required(ADMIN)
def reinstate_entity(entity_id: int):  # type: ignore[no-untyped-def]
    return _retire_entity(entity_id, False)


def _retire_entity(entity_id: int, retired: bool):  # type: ignore[no-untyped-def]
    try:
        entity = entities.set_retired(current_user, entity_id, retired)
    except Conflict as exc:
        flash(exc.message, "error")
        return entity_list(status=exc.status_code)
    done = "retired: no longer offered for new records" if retired else "back in use"
    return redirect_saved(f"Entity {entity.code} {done}.", ".entity_list")
