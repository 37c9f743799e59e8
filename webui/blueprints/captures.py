"""Review stage, captures screen: reviewers upload browser captures (Zeeschuimer) and manage upload addresses.

Two ways in, both stored by crawler.captures.zeeschuimer with the uploader recorded on the run:
- the form on /captures/ (a logged-in reviewer or admin; CSRF-protected like every form);
- Zeeschuimer's own upload, the contract it speaks to 4CAT (its popup/interface.js; 4CAT's
  webtool/views/api_tool.py import_dataset and check_dataset): `POST {base}/api/import-dataset/` with
  header `X-Zeeschuimer-Platform: <module id>` and the NDJSON as body, answered `{"status", "key", "url"}`;
  then `GET {base}/api/check-query/?key=KEY` until `{"done": true, "status", "url", "rows"}`. An unknown
  platform is a 404 whose text holds "Unknown platform or source format" (the extension shows its own
  message for it), 403 when not logged in, 429 when too soon, 413 when too large.
  The base is the Netral address (the reviewer's session cookie authenticates) or a personal upload
  address `{netral}/u/<token>/` (the token authenticates; revocable on this screen).
The API endpoints are exempt from the CSRF token (the extension cannot send one): the token address is
authenticated by its token; a session upload must carry X-Zeeschuimer-Platform, a header no cross-site form
can send and no cross-site script can send without a CORS preflight this app never answers.
Upload tokens are audit events (created, revoked): only the SHA-256 of a token is stored.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from crawler.captures import MAPPERS
from crawler.captures.zeeschuimer import SOURCE, import_captures
from crawler.importer import ImportFileError
from models import AuditEvent, CrawlRun, RunStatus, User, UserRole, record_event, session_scope
from webui.access import DECIDERS, PUBLIC_ENDPOINTS, require_role
from webui.database import db, engine
from webui.security import csrf

bp = Blueprint("captures", __name__, url_prefix="/captures")
api = Blueprint("captures_api", __name__)
TOKEN_CREATE, TOKEN_REVOKE, UPLOAD = "capture.token.create", "capture.token.revoke", "capture.upload"
TOKEN_TYPE = "upload_token"
UNKNOWN = "Unknown platform or source format"
MAX_MB_ENV, PER_MINUTE_ENV = "NETRAL_CAPTURE_MAX_MB", "NETRAL_CAPTURE_UPLOADS_PER_MINUTE"
CHUNK = 1 << 16
# The API is reached by the extension, without the login form: each view authenticates itself.
PUBLIC_ENDPOINTS.update({"captures_api.import_dataset", "captures_api.check_query",
                         "captures_api.token_import_dataset", "captures_api.token_check_query"})


class UploadError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def max_bytes() -> int:
    value = current_app.config.get(MAX_MB_ENV) or os.environ.get(MAX_MB_ENV) or 50
    return int(float(value) * 1024 * 1024)


def per_minute() -> int:
    return int(current_app.config.get(PER_MINUTE_ENV) or os.environ.get(PER_MINUTE_ENV) or 5)


_recent: dict[int, deque] = {}
_recent_lock = threading.Lock()


def _rate_limit(user_id: int) -> None:
    """At most per_minute() uploads per user per minute in this process (4CAT allows 5)."""
    now = time.monotonic()
    with _recent_lock:
        times = _recent.setdefault(user_id, deque())
        while times and now - times[0] > 60:
            times.popleft()
        if len(times) >= per_minute():
            raise UploadError(429, "Too many uploads: wait a minute and try again.")
        times.append(now)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_user(token: str) -> User | None:
    """The active reviewer or admin whose unrevoked upload token this is, else None."""
    if not token or len(token) > 200:
        return None
    events = db().execute(select(AuditEvent.action, AuditEvent.details).where(
        AuditEvent.object_type == TOKEN_TYPE, AuditEvent.object_id == token_digest(token))
        .order_by(AuditEvent.id)).all()
    if not events or events[0].action != TOKEN_CREATE or any(a == TOKEN_REVOKE for a, _ in events):
        return None
    user = db().get(User, (events[0].details or {}).get("user_id"))
    return user if user is not None and user.is_active and user.role in DECIDERS else None


def my_tokens(user: User) -> list[dict]:
    rows = db().execute(select(AuditEvent.action, AuditEvent.object_id, AuditEvent.created_at, AuditEvent.details)
                        .where(AuditEvent.object_type == TOKEN_TYPE).order_by(AuditEvent.id)).all()
    tokens: dict[str, dict] = {}
    for action, digest, at, details in rows:
        if action == TOKEN_CREATE and (details or {}).get("user_id") == user.id:
            tokens[digest] = {"digest": digest, "label": details.get("label") or "", "created_at": at,
                              "revoked_at": None}
        elif action == TOKEN_REVOKE and digest in tokens:
            tokens[digest]["revoked_at"] = at
    return list(reversed(tokens.values()))


def receive(user: User, platform: str | None, via: str) -> CrawlRun:
    """Store the request body (NDJSON) as a capture upload by user; raise UploadError with what to show."""
    if user.role not in DECIDERS:
        raise UploadError(403, "Only reviewers and admins upload captures.")
    if platform is not None and platform not in MAPPERS:
        raise UploadError(404, f"{UNKNOWN} '{platform[:40]}': Netral reads {', '.join(sorted(MAPPERS))}")
    limit = max_bytes()
    if request.content_length is not None and request.content_length > limit:
        raise UploadError(413, f"The capture file is too large: at most {limit // 2**20} MB per upload. "
                               f"Upload fewer items at a time.")
    _rate_limit(user.id)
    request.max_content_length = limit + 1  # this route reads more than a form's 2 MB, in chunks
    folder = Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("wb", suffix=".ndjson", prefix="capture-", dir=folder, delete=False)
    path = Path(handle.name)
    try:
        with handle:
            size = 0
            source = request.files["file"].stream if via == "web" else request.stream
            while chunk := _read(source):
                size += len(chunk)
                if size > limit:
                    raise UploadError(413, f"The capture file is too large: at most {limit // 2**20} MB per "
                                           f"upload. Upload fewer items at a time.")
                handle.write(chunk)
        if size == 0:
            raise UploadError(400, "The upload is empty: no captured items were sent.")
        try:
            report = import_captures(engine(), path, uploader=user.username, via=via, platform=platform)
        except ImportFileError as exc:
            raise UploadError(400, str(exc).replace(str(path), "upload")) from None
    finally:
        path.unlink(missing_ok=True)
    with session_scope(engine(), write=True) as s:  # the request's read session began before the import
        run = s.get(CrawlRun, report.run_id)
        record_event(s, user.username, UPLOAD, "crawl_run", run.id,
                     {"via": via, "platform": platform, "rows": report.rows, "rejected": len(report.rejected),
                      "sha256": run.parameters.get("sha256"), "bytes": size})
    g.capture_report = report
    return run


def _read(source) -> bytes:
    try:
        return source.read(CHUNK)
    except RequestEntityTooLarge:
        raise UploadError(413, f"The capture file is too large: at most {max_bytes() // 2**20} MB per upload. "
                               f"Upload fewer items at a time.") from None


def _json_error(exc: UploadError):
    return jsonify({"status": "error", "error": exc.message, "message": exc.message}), exc.code


def _stored(run: CrawlRun) -> int:
    return sum(v for k, v in (run.item_counts or {}).items() if k != "bound_accounts")


def _status(run: CrawlRun) -> dict:
    errors = sum((run.error_counts or {}).values())
    text = (f"{_stored(run)} item(s) stored, {errors} line(s) refused" if run.status is not RunStatus.RUNNING
            else "importing")
    rejected = ((run.cursor_state or {}).get("capture") or {}).get("rejected") or []
    if rejected:
        text += ": " + "; ".join(f"line {n}: {why}" for n, why in rejected[:5]) + ("; ..." if errors > 5 else "")
    if run.status is RunStatus.FAILED:
        text = f"failed: {run.error_message}"
    return {"key": str(run.id), "done": run.status is not RunStatus.RUNNING, "status": text,
            "rows": _stored(run), "empty": _stored(run) == 0, "datasource": (run.parameters or {}).get("platform"),
            "url": url_for("captures.run", run_id=run.id, _external=True)}


def _import(user: User | None, via: str):
    if user is None:
        return _json_error(UploadError(403, "Log in to Netral in this browser, or use your personal upload "
                                            "address from Netral's Captures screen."))
    platform = request.headers.get("X-Zeeschuimer-Platform")
    if not platform:
        return _json_error(UploadError(400, "The X-Zeeschuimer-Platform header is missing."))
    try:
        run = receive(user, platform.strip(), via)
    except UploadError as exc:
        return _json_error(exc)
    return jsonify({"status": "queued" if run.status is RunStatus.RUNNING else "done", "key": str(run.id),
                    "url": url_for("captures.run", run_id=run.id, _external=True)})


def _check(user: User | None):
    if user is None:
        return _json_error(UploadError(403, "Log in to Netral in this browser."))
    key = request.args.get("key", "")
    run = db().get(CrawlRun, int(key)) if key.isdigit() and len(key) < 19 else None
    if run is None or run.source != SOURCE or (run.parameters or {}).get("uploader") != user.username:
        return jsonify({"status": "error", "error": "Dataset does not exist."}), 404
    return jsonify(_status(run))


def _session_or_basic() -> tuple[User | None, str]:
    """The logged-in user, else the owner of a token sent as the Basic user name (https://TOKEN@host: the
    form of the address that survives the extension, which keeps only scheme and host of what it is given)."""
    if g.user is not None:
        return g.user, "extension"
    auth = request.authorization
    if auth is not None and auth.type == "basic" and auth.username:
        return token_user(auth.username), "extension-token"
    return None, "extension"


@api.post("/api/import-dataset/")
@csrf.exempt
def import_dataset():
    return _import(*_session_or_basic())


@api.get("/api/check-query/")
def check_query():
    return _check(_session_or_basic()[0])


@api.post("/u/<token>/api/import-dataset/")
@csrf.exempt
def token_import_dataset(token: str):
    return _import(token_user(token), "extension-token")


@api.get("/u/<token>/api/check-query/")
def token_check_query(token: str):
    return _check(token_user(token))


def _page(new_token: str | None = None):
    runs = db().scalars(select(CrawlRun).where(CrawlRun.source == SOURCE).order_by(CrawlRun.id.desc())
                        .limit(200)).all()
    runs = [r for r in runs if (r.parameters or {}).get("uploader") == g.user.username][:20]
    return render_template("captures.html", runs=runs, tokens=my_tokens(g.user), new_token=new_token,
                           base=request.url_root, max_mb=max_bytes() // 2**20, platforms=sorted(MAPPERS))


@bp.get("/")
@require_role(*DECIDERS)
def index():
    return _page()


@bp.post("/upload")
@csrf.exempt  # checked below, once the body may be larger than a form's 2 MB
@require_role(*DECIDERS)
def upload():
    request.max_content_length = max_bytes() + 64 * 1024  # the form's own fields besides the file
    csrf.protect()
    if "file" not in request.files or not request.files["file"].filename:
        flash(_("Choose a capture file (.ndjson) exported from Zeeschuimer."), "error")
        return redirect(url_for("captures.index"))
    try:
        run = receive(g.user, None, "web")
    except UploadError as exc:
        flash(exc.message, "error")
        return redirect(url_for("captures.index")), 303
    report = g.capture_report
    flash(_("Upload stored as import run %(id)s: %(rows)s line(s), %(stored)s item(s) stored, %(bad)s refused.",
            id=run.id, rows=report.rows, stored=_stored(run), bad=len(report.rejected)),
          "ok" if not report.rejected else "error")
    return redirect(url_for("captures.run", run_id=run.id), 303)


@bp.get("/run/<int:run_id>")
@require_role(*DECIDERS)
def run(run_id: int):
    found = db().get(CrawlRun, run_id)
    if found is None or found.source != SOURCE:
        abort(404)
    if (found.parameters or {}).get("uploader") != g.user.username and g.user.role is not UserRole.ADMIN:
        abort(404)
    return render_template("captures_run.html", run=found, status=_status(found))


@bp.post("/tokens")
@require_role(*DECIDERS)
def create_token():
    label = request.form.get("label", "").strip()[:100]
    token = secrets.token_urlsafe(32)
    with session_scope(engine(), write=True) as s:
        record_event(s, g.user.username, TOKEN_CREATE, TOKEN_TYPE, token_digest(token),
                     {"user_id": g.user.id, "label": label})
    address = url_for("captures_api.token_check_query", token=token, _external=True).removesuffix("api/check-query/")
    scheme, _sep, host = request.host_url.rstrip("/").partition("://")
    return _page({"address": address, "extension": f"{scheme}://{token}@{host}"})


@bp.post("/tokens/<digest>/revoke")
@require_role(*DECIDERS)
def revoke_token(digest: str):
    if digest not in {t["digest"] for t in my_tokens(g.user) if t["revoked_at"] is None}:
        abort(404)
    with session_scope(engine(), write=True) as s:
        record_event(s, g.user.username, TOKEN_REVOKE, TOKEN_TYPE, digest, {"user_id": g.user.id})
    flash(_("The upload address is revoked: uploads to it are refused from now on."), "ok")
    return redirect(url_for("captures.index"), 303)
