"""The lifecycle diagram and table, generated from the workflow definition."""

from __future__ import annotations

from flask import Blueprint, render_template

from workflows import PROPOSAL

bp = Blueprint("workflow", __name__, url_prefix="/workflow")


@bp.route("/")
def diagram():  # type: ignore[no-untyped-def]
    return render_template("workflow.html", workflow=PROPOSAL, mermaid=PROPOSAL.mermaid())
