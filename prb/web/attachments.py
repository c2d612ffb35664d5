"""Attachments: a record's files (list, upload, new version) and their download."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length

from prb.models import OwnerKind
from prb.services import attachments as service
from prb.services.errors import Conflict, Invalid
from prb.services.files.checks import ACCEPTED, MB, MEDIA_TYPES, max_bytes
from prb.services.files.storage import FileStore, file_store
from prb.web.declare import reads_form
from prb.web.fields import Form
from prb.web.forms import OnceField, options, show_errors

bp = Blueprint("attachments", __name__, url_prefix="/attachments")

UPLOAD_ENDPOINT = "attachments.upload"
# What a multipart request adds around the file itself (boundaries, the other fields).
FORM_OVERHEAD = 64 * 1024


class AttachmentForm(Form):
    once = OnceField()  # a double click keeps the file once
    file = FileField("File", render_kw={"accept": ".pdf,.docx,.xlsx,.odt,.ods,.png,.jpg,.jpeg"})
    supersedes_id = SelectField("This file is", coerce=lambda v: int(v) if v else None)
    description = StringField(
        "Description (optional)", validators=[Length(max=service.MAX_DESCRIPTION)]
    )
    submit = SubmitField("Upload")


@bp.record_once
def _template_names(state) -> None:  # type: ignore[no-untyped-def]
    # Pages link to a record's files by its kind, named by the enum (never a typed string).
    state.app.jinja_env.globals["OwnerKind"] = OwnerKind


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """1,234 bytes; 12.3 KB; 4.5 MB."""
    if size < 1024:
        return f"{size:,} bytes"
    if size < MB:
        return f"{size / 1024:.1f} KB"
    return f"{size / MB:.1f} MB"


@bp.app_template_filter("attachment_kind")
def attachment_kind(media_type: str) -> str:
    """PDF, DOCX …: the type the content was found to be."""
    return next((k.label for k, m in MEDIA_TYPES.items() if m == media_type), media_type)


def upload_limit() -> int:
    """The largest file a user may upload, in bytes (PRB_ATTACHMENT_MAX_MB)."""
    return max_bytes(current_app.config["ATTACHMENT_MAX_MB"])


def files_store() -> FileStore:
    """Where uploaded files are kept (PRB_FILE_STORAGE)."""
    return file_store(current_app.config, current_app.instance_path)


@bp.url_value_preprocessor
def _allow_attachments(endpoint: str | None, values: dict | None) -> None:  # type: ignore[type-arg]
    """Uploads may be larger than the app-wide request limit, which every other form keeps.
    This runs before any before_request function (CSRF protection reads the body there)."""
    if endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = upload_limit() + FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    """Far larger than the limit: the body was not read, so the page is shown again."""
    args = request.view_args or {}
    form = AttachmentForm(formdata=None)
    form.file.errors = [f"The file is larger than {upload_limit() / MB:g} MB: it was not kept."]
    flash(form.file.errors[0], "error")
    return _page(args.get("kind", ""), args.get("owner_id", 0), form, 413)


def _page(kind: str, owner_id: int, form: AttachmentForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    page = service.attachments_page(current_user, kind, owner_id)
    if status != 200:
        # A refused upload by someone who may not upload at all: say that, not the form's
        # problem (403, or 409 once the record is closed).
        page.owner.require_writable()
    form = form or AttachmentForm(formdata=None)
    form.supersedes_id.choices = options(
        [("", "a new file")]
        + [(v.current.id, f"a new version of “{v.current.filename}”") for v in page.files]
    )
    return render_template(
        "attachments/page.html",
        page=page,
        form=form,
        back=_back(page.owner),
        accepted=ACCEPTED,
        max_mb=upload_limit() / MB,
    ), status


def _back(owner: service.Owner) -> str:
    if owner.kind == OwnerKind.MEETING:
        return url_for("board.meeting", meeting_id=owner.id)
    if owner.kind == OwnerKind.REPORT:
        return url_for("progress_reports.show", report_id=owner.id)
    if owner.kind == OwnerKind.EXTENSION:
        return url_for("finance.project", proposal_id=owner.proposal_id) + "#extensions"
    return url_for("proposals.show", proposal_id=owner.id)


@bp.route("/<kind>/<int:owner_id>")
def page(kind: str, owner_id: int):  # type: ignore[no-untyped-def]
    return _page(kind, owner_id)


@bp.route("/<kind>/<int:owner_id>", methods=["POST"])
@reads_form(AttachmentForm)
def upload(kind: str, owner_id: int):  # type: ignore[no-untyped-def]
    form = AttachmentForm()
    form.supersedes_id.choices = None  # checked by the service: a file of this record
    form.supersedes_id.validate_choice = False
    upload = form.file.data
    if not form.validate() or upload is None or not upload.filename:
        if upload is None or not upload.filename:
            form.file.errors = ["Choose a file to upload."]
        flash("The file was not kept: see the message below.", "error")
        return _page(kind, owner_id, form, 422)
    try:
        row = service.add_attachment(
            current_user,
            kind,
            owner_id,
            filename=upload.filename,
            data=upload.read(),
            store=files_store(),
            max_size=upload_limit(),
            description=form.description.data or "",
            supersedes_id=form.supersedes_id.data,
            once=form.once.data,
        )
    except Invalid as exc:
        show_errors(form, exc)
        form.once.renew()
        return _page(kind, owner_id, form, 422)
    except Conflict as exc:
        flash(exc.message, "error")
        form.once.renew()
        return _page(kind, owner_id, form, 409)
    flash(f"“{row.filename}” was attached (SHA-256 {row.sha256}).", "success")
    return redirect(url_for(".page", kind=kind, owner_id=owner_id), 303)


@bp.route("/files/<int:attachment_id>")
def download(attachment_id: int):  # type: ignore[no-untyped-def]
    row, data = service.fetch_attachment(current_user, attachment_id, files_store())
    # send_file writes Content-Disposition with an RFC 5987 filename* for non-ASCII names.
    response = send_file(
        BytesIO(data),
        mimetype=row.media_type,
        as_attachment=True,
        download_name=row.filename,
        etag=False,
        conditional=False,
        last_modified=None,
        max_age=None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
