"""Importing existing projects from CSV: upload and check (the dry run), then confirm."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField, SubmitField

from prb.services import portfolio_import as service
from prb.services.errors import Conflict
from prb.web.access import roles_required
from prb.web.attachments import FORM_OVERHEAD
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.forms import OnceField
from workflows import Role

bp = Blueprint("imports", __name__, url_prefix="/imports")

IMPORTERS = (Role.SECRETARIAT, Role.ADMINISTRATOR)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # about 10,000 rows
SESSION_KEY = "project_import"


class UploadForm(Form):
    file = FileField(
        "CSV file",
        description="UTF-8 CSV with a header row; see the columns below.",
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField("Check the file")


class ConfirmForm(Form):
    once = OnceField()
    sha256 = HiddenField()
    submit = SubmitField("Import")


def _max_bytes() -> int:
    return int(current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _staging_folder() -> Path:
    configured = current_app.config.get("IMPORT_STAGING_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


@bp.url_value_preprocessor
def _allow_import_files(endpoint: str | None, values: dict | None) -> None:  # type: ignore[type-arg]
    """Import files may be larger than other requests. This runs before any before_request
    function (CSRF protection reads the body there), so the limit is in place in time."""
    # The body carries the form's other fields and the multipart boundaries too: the file
    # itself is held to the limit in `check` (a 5 MB file was refused as larger than 5 MB).
    request.max_content_length = _max_bytes() + FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge | None = None):  # type: ignore[no-untyped-def]
    limit = _max_bytes() / (1024 * 1024)
    flash(
        f"The file is larger than {limit:g} MB, the most PRB accepts at once. Nothing was "
        "imported: split it into several files (each with the header row) and import them "
        "one after the other.",
        "error",
    )
    return _upload_page(UploadForm(formdata=None), 413)


def _upload_page(form: UploadForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template(
        "imports/projects.html",
        form=form,
        batches=service.batches(current_user),
        columns=service.COLUMNS,
        max_mb=_max_bytes() / (1024 * 1024),
    ), status


@bp.route("/projects")
@roles_required(*IMPORTERS)
def projects():  # type: ignore[no-untyped-def]
    return _upload_page(UploadForm(formdata=None))


@bp.route("/projects/check", methods=["POST"])
@reads_form(UploadForm)
@roles_required(*IMPORTERS)
def check():  # type: ignore[no-untyped-def]
    form = UploadForm()
    upload = form.file.data
    if not form.validate() or upload is None or not upload.filename:
        form.file.errors = ["Choose the CSV file to check."]
        return _upload_page(form, 422)
    content = upload.read(_max_bytes() + 1)
    if len(content) > _max_bytes():
        return _too_large()
    result = service.check_projects(
        current_user, upload.filename, content, keep_in=_staging_folder()
    )
    status = 200
    confirm = None
    if result.previous is not None:
        flash(service.already_imported(result.previous), "error")
        status = 409
    elif result.errors:
        status = 422
    else:
        session[SESSION_KEY] = {"sha256": result.sha256, "filename": result.filename}
        confirm = ConfirmForm(formdata=None, sha256=result.sha256)
    return render_template(
        "imports/check.html", result=result, confirm=confirm, form=UploadForm(formdata=None)
    ), status


@bp.route("/projects/confirm", methods=["POST"])
@reads_form(ConfirmForm)
@roles_required(*IMPORTERS)
def confirm():  # type: ignore[no-untyped-def]
    form = ConfirmForm()  # its CSRF token was checked before the view, like every form's
    checked = session.get(SESSION_KEY) or {}
    digest = form.sha256.data or ""
    if not digest or checked.get("sha256") != digest:
        raise Conflict("Check the file first; then import the file you checked.")
    filename = checked.get("filename", "")
    try:
        batch = service.import_checked(
            current_user, _staging_folder(), digest, filename, once=form.once.data
        )
    except service.ImportRefused as exc:
        flash(exc.message, "error")
        result = service.CheckResult(filename, digest, [], exc.errors)
        return render_template(
            "imports/check.html", result=result, confirm=None, form=UploadForm(formdata=None)
        ), 422
    session.pop(SESSION_KEY, None)
    flash(
        f"{batch.rows} project{'s' if batch.rows != 1 else ''} imported from "
        f"“{batch.filename}” (import {batch.id}).",
        "success",
    )
    return redirect(url_for(".projects"), 303)
