"""Administration: the landing page, and the office's reference data — entities, working
groups and their chairs, funding programmes with their envelope history and results
framework. The services decide who may change what; these views parse and render. One
blueprint, its views split by concern: `entities`, `groups` (with the chairs' terms) and
`programmes` (with their envelopes and outputs)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from prb.web.access import roles_required
from workflows import Role

bp = Blueprint("reference", __name__, url_prefix="/admin")
ADMIN = Role.ADMINISTRATOR


def redirect_saved(message: str, endpoint: str, **values: int) -> Response:
    flash(message, "success")
    return redirect(url_for(endpoint, **values), 303)


@bp.route("")
@roles_required(ADMIN)
def index():  # type: ignore[no-untyped-def]
    return render_template("admin/reference/index.html")


# The views register their routes on `bp` when imported.
from prb.web.reference import entities, groups, programmes  # noqa: E402

__all__ = ["ADMIN", "bp", "entities", "groups", "programmes", "redirect_saved"]
