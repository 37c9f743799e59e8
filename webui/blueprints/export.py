"""Review stage, export screen: download compliance summaries (CSV streamed, XLSX, PDF) and case evidence PDFs.

Every download is recorded in the audit trail before the first byte is sent. Only admins may include NIPs.
"""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, abort, current_app, g, render_template, request, send_file, stream_with_context
from sqlalchemy.orm import Session

from models import Platform, UserRole, audit, record_event, session_scope, utcnow
from webui.database import db, engine
from webui.exports import FORMATS, writer
from webui.exports.query import SummaryFilter

bp = Blueprint("export", __name__, url_prefix="/export")
SPOOL_BYTES = 8 * 1024 * 1024


@bp.get("/")
def index():
    return render_template("export.html", formats=list(FORMATS), platforms=list(Platform))


def _include_nip() -> bool:
    asked = request.values.get("with_nip") == "1"
    if asked and g.user.role is not UserRole.ADMIN:
        abort(403)  # NIPs are sensitive: least privilege
    return asked


def _audit(action: str, object_type: str | None, object_id, details: dict) -> None:
    with session_scope(engine(), write=True) as s:
        record_event(s, g.user.username, action, object_type, object_id, details)


@bp.post("/summary")
def summary():
    fmt = request.form.get("format", "csv")
    if fmt not in FORMATS:
        abort(400)
    try:
        f = SummaryFilter.from_mapping(request.form)
        f.conditions()  # a date out of range fails here, not halfway through a streamed file
    except ValueError as exc:
        abort(400, description=str(exc))
    nip = _include_nip()
    _audit(audit.EXPORT_SUMMARY, None, None, {"format": fmt, "nip": nip, **f.describe()})
    write, mimetype = writer(fmt)
    name = f"netral-ringkasan-{utcnow():%Y%m%d-%H%M%S}.{fmt}"
    eng = engine()
    if fmt == "csv":
        from webui.exports.tabular import iter_csv

        def generate():
            # Its own session: the response outlives the request's session while it streams.
            with Session(eng) as s:
                yield from iter_csv(s, f, nip)

        response = Response(stream_with_context(generate()), mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    with Session(eng) as s:
        if fmt == "pdf":
            write(s, f, nip, spool, max_cases=current_app.config["NETRAL_PDF_MAX_CASES"])
        else:
            write(s, f, nip, spool)
    spool.seek(0)
    return send_file(spool, mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/case/<int:flag_id>.pdf")
def case_pdf(flag_id: int):
    from webui.exports.evidence import write_case_pdf
    from webui.review.case_data import load_case

    found = load_case(db(), flag_id)
    if found is None:
        abort(404)
    nip = _include_nip()
    _audit(audit.EXPORT_CASE, "flag", flag_id, {"nip": nip})
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    write_case_pdf(found, spool, include_nip=nip, generated_by=g.user.username)
    spool.seek(0)
    return send_file(spool, mimetype="application/pdf", as_attachment=True, download_name=f"netral-kasus-{flag_id}.pdf")


RAW_PARTS = {"interaction": "interaction", "post": "post", "reply": "own_post"}


@bp.get("/case/<int:flag_id>/raw.json")
def case_raw(flag_id: int):
    """The full raw payload of one part of a case (?part=interaction|post|reply), verbatim as captured and
    hashed: the case page shows a huge one truncated and links here. A download, never rendered."""
    from webui.review.case_data import load_case

    part = request.args.get("part", "post")
    if part not in RAW_PARTS:
        abort(400, description=f"part must be one of: {', '.join(RAW_PARTS)}")
    found = load_case(db(), flag_id)
    row = getattr(found, RAW_PARTS[part], None) if found is not None else None
    if row is None or not row.raw_json:
        abort(404)
    _audit(audit.EXPORT_CASE, "flag", flag_id, {"raw": part})
    response = Response(row.raw_json.encode("utf-8"), mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="netral-kasus-{flag_id}-{part}.json"'
    return response
