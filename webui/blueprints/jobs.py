"""Scheduling stage, crawl jobs screen: every user sees the jobs and recent crawl runs; admins manage jobs.

Admins create and edit jobs (source, targets, options, schedule per election phase, profile, enabled),
enable or disable them and ask for a run now (next_run_at NULL: the scheduler picks it up on its next
poll). Jobs are validated by the scheduler's own `validate_job`, as a jobs file's entries are, and by its
crawl step's `crawl_request` (targets and options as the crawl will read them). Every change is an audit
event. Errors and targets come from crawls and users: templates only ever autoescape.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crawler.plan import SOURCES as CRAWL_SOURCES
from models import CrawlRun, UserRole, audit, record_event, session_scope, utcnow
from models.base import Phase
from models.jobs import CrawlJob
from models.profile import ProfileError, load_profile
from scheduler.crawl import PlanError, crawl_request
from scheduler.specs import PHASES, ScheduleError, validate_job
from webui.access import require_role
from webui.database import db, engine

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
RECENT_RUNS = 30
SOURCES = tuple(CRAWL_SOURCES)
EDITABLE = ("source", "targets", "options", "schedule", "profile_path", "enabled")
PHASE_LABELS = {Phase.BEFORE.value: _l("before the campaign"), Phase.CAMPAIGN.value: _l("campaign"),
                Phase.QUIET.value: _l("quiet period"), Phase.VOTING_DAY.value: _l("voting day"),
                Phase.AFTER.value: _l("after voting day"), "default": _l("default")}
RUN_STATUS = {"running": _l("running"), "completed": _l("completed"), "failed": _l("failed"),
              "interrupted": _l("interrupted")}


def _context(**kw) -> dict:
    return {"phases": PHASES, "phase_labels": PHASE_LABELS, "run_status": RUN_STATUS, "sources": SOURCES,
            "now": utcnow(), **kw}


@bp.get("/")
def index():
    jobs = db().scalars(select(CrawlJob).order_by(CrawlJob.name)).all()
    runs = db().scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(RECENT_RUNS)).all()
    shown = {r.id: r for r in runs}
    missing = {j.last_run_id for j in jobs if j.last_run_id and j.last_run_id not in shown}
    if missing:
        shown.update({r.id: r for r in db().scalars(select(CrawlRun).where(CrawlRun.id.in_(missing)))})
    return render_template("jobs/index.html", **_context(jobs=jobs, runs=runs, last_runs=shown))


@bp.get("/runs/<int:run_id>")
def run(run_id: int):
    found = db().get(CrawlRun, run_id)
    if found is None:
        abort(404)
    jobs = db().scalars(select(CrawlJob).where(CrawlJob.last_run_id == run_id)).all()
    return render_template("jobs/run.html", **_context(run=found, jobs=jobs))


def _form_of(job: CrawlJob | None) -> dict:
    """The form's raw values: from a stored job, or defaults for a new one."""
    if job is None:
        return {"name": "", "source": SOURCES[0], "targets": "{}", "options": "{}", "profile_path": "",
                "enabled": True, "schedule": {}}
    return {"name": job.name, "source": job.source, "targets": json.dumps(job.targets or {}, ensure_ascii=False),
            "options": json.dumps(job.options or {}, ensure_ascii=False), "profile_path": job.profile_path or "",
            "enabled": job.enabled, "schedule": {k: str(v) for k, v in (job.schedule or {}).items()}}


def _posted() -> dict:
    form = request.form
    schedule = {p: form.get(f"schedule_{p}", "").strip() for p in PHASES}
    return {"name": form.get("name", "").strip(), "source": form.get("source", "").strip(),
            "targets": form.get("targets", "").strip() or "{}", "options": form.get("options", "").strip() or "{}",
            "profile_path": form.get("profile_path", "").strip(), "enabled": form.get("enabled") == "1",
            "schedule": {p: v for p, v in schedule.items() if v}}


def _validated(raw: dict, stored_profile: str | None = None) -> dict:
    """Parse and validate the posted form; return the job's column values or raise ValueError (shown to the admin).

    A new or changed profile path must load here; an unchanged one is not re-read (the scheduler may run on
    another machine, where only it can read the file).
    """
    parsed = {}
    for field, label in (("targets", _("Targets")), ("options", _("Options"))):
        try:
            parsed[field] = json.loads(raw[field])
        except ValueError:
            raise ValueError(_("%(field)s must be a JSON object, e.g. {\"registry\": true}.", field=label)) from None
    try:
        spec = validate_job({"name": raw["name"], "source": raw["source"], "targets": parsed["targets"],
                             "options": parsed["options"], "schedule": raw["schedule"],
                             "profile": raw["profile_path"] or None, "enabled": raw["enabled"]})
    except ScheduleError as exc:
        raise ValueError(_("Invalid job: %(error)s", error=str(exc))) from None
    if spec.profile and spec.profile != stored_profile:
        if not Path(spec.profile).is_absolute():
            raise ValueError(_("The profile path must be absolute (the scheduler may run elsewhere)."))
        try:
            load_profile(spec.profile)
        except ProfileError as exc:
            raise ValueError(_("Invalid profile: %(error)s", error=str(exc))) from None
    try:  # as the crawl step will run it: e.g. an option of another source, or a target of the wrong type
        crawl_request(spec.source, spec.targets, spec.options, spec.profile)
    except PlanError as exc:
        raise ValueError(_("Invalid job: %(error)s", error=str(exc))) from None
    return {"name": spec.name, "source": spec.source, "targets": spec.targets, "options": spec.options,
            "schedule": spec.schedule, "profile_path": spec.profile, "enabled": spec.enabled}


def _form_page(raw: dict, job: CrawlJob | None, status: int = 200):
    return render_template("jobs/form.html", **_context(form=raw, job=job)), status


@bp.get("/new")
@require_role(UserRole.ADMIN)
def new():
    return _form_page(_form_of(None), None)


@bp.post("/new")
@require_role(UserRole.ADMIN)
def create():
    raw = _posted()
    try:
        values = _validated(raw)
    except ValueError as exc:
        flash(str(exc), "error")
        return _form_page(raw, None, 400)
    with session_scope(engine(), write=True) as s:
        if s.scalar(select(CrawlJob.id).where(CrawlJob.name == values["name"])):
            flash(_("A job with that name exists already."), "error")
            return _form_page(raw, None, 400)
        job = CrawlJob(origin="db", consecutive_failures=0, next_run_at=None, **values)
        s.add(job)
        s.flush()
        record_event(s, g.user.username, audit.JOB_ADD, "crawl_job", job.id, values)
    flash(_("Job added; it runs on the scheduler's next poll."), "ok")
    return redirect(url_for("jobs.index"))


def _job_for_update(s, job_id: int) -> CrawlJob:
    job = s.get(CrawlJob, job_id, with_for_update=True)
    if job is None:
        abort(404)
    return job


@bp.get("/<int:job_id>/edit")
@require_role(UserRole.ADMIN)
def edit(job_id: int):
    job = db().get(CrawlJob, job_id)
    if job is None:
        abort(404)
    return _form_page(_form_of(job), job)


@bp.post("/<int:job_id>/edit")
@require_role(UserRole.ADMIN)
def update(job_id: int):
    raw = _posted()
    with session_scope(engine(), write=True) as s:
        job = _job_for_update(s, job_id)
        raw["name"] = job.name  # the name is the job's identity (config files sync by it)
        try:
            values = _validated(raw, job.profile_path)
        except ValueError as exc:
            flash(str(exc), "error")
            return _form_page(raw, job, 400)
        changes = {k: [getattr(job, k), values[k]] for k in EDITABLE if getattr(job, k) != values[k]}
        for key, (_before, after) in changes.items():
            setattr(job, key, after)
        if changes:
            record_event(s, g.user.username, audit.JOB_EDIT, "crawl_job", job.id, {"name": job.name, **changes})
    flash(_("Job saved.") if changes else _("Nothing changed."), "ok")
    return redirect(url_for("jobs.index"))


@bp.post("/<int:job_id>/enabled")
@require_role(UserRole.ADMIN)
def set_enabled(job_id: int):
    enabled = request.form.get("enabled") == "1"
    with session_scope(engine(), write=True) as s:
        job = _job_for_update(s, job_id)
        if job.enabled != enabled:
            job.enabled = enabled
            record_event(s, g.user.username, audit.JOB_ENABLE if enabled else audit.JOB_DISABLE, "crawl_job", job.id,
                         {"name": job.name})
    flash(_("Job enabled.") if enabled else _("Job disabled."), "ok")
    return redirect(url_for("jobs.index"))


@bp.post("/<int:job_id>/run")
@require_role(UserRole.ADMIN)
def run_now(job_id: int):
    with session_scope(engine(), write=True) as s:
        job = _job_for_update(s, job_id)
        if not job.enabled:
            flash(_("Enable the job first: the scheduler runs only enabled jobs."), "error")
            return redirect(url_for("jobs.index"))
        if job.locked_by is not None and job.locked_until is not None and job.locked_until > utcnow():
            # The running scheduler sets next_run_at when it finishes, which would undo a run-now.
            flash(_("The job is running now (%(holder)s); ask again when this run ends.", holder=job.locked_by),
                  "error")
            return redirect(url_for("jobs.index"))
        before = job.next_run_at
        job.next_run_at = None
        record_event(s, g.user.username, audit.JOB_RUN_NOW, "crawl_job", job.id,
                     {"name": job.name, "next_run_at_before": before.isoformat() if before else None})
    flash(_("The job will run on the scheduler's next poll."), "ok")
    return redirect(url_for("jobs.index"))
