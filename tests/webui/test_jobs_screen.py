"""Review UI, crawl jobs screen (scheduling stage): listing, admin edits validated by the scheduler, roles, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models import AuditEvent, CrawlRun, RunStatus, utcnow
from models.jobs import CrawlJob
from tests.conftest import ROOT
from tests.webui.conftest import XSS, fresh

PROFILE = str(ROOT / "examples" / "profile.yaml")
FORM = {"name": "bsky-registry", "source": "bluesky", "targets": '{"registry": true}', "options": '{"delay": 0}',
        "schedule_campaign": "60m", "schedule_quiet": "15m", "schedule_default": "6h", "profile_path": PROFILE,
        "enabled": "1"}


def _job(db_session, **overrides) -> CrawlJob:
    values = {"name": "mastodon-registry", "source": "mastodon", "targets": {"registry": True},
              "options": {"instance": "https://mastodon.example"}, "schedule": {"campaign": "60m", "default": "6h"},
              "consecutive_failures": 0, "next_run_at": utcnow() + timedelta(hours=2)} | overrides
    job = CrawlJob(**values)
    db_session.add(job)
    db_session.commit()
    return job


def _actions(db_session) -> list[str]:
    fresh(db_session)
    return db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("job.%"))
                              .order_by(AuditEvent.id)).all()


def test_list_shows_a_failed_job_escaped_and_recent_runs(as_role, db_session):
    run = CrawlRun(source="mastodon", status=RunStatus.FAILED, item_counts={"post": 12, "like": 30},
                   error_counts={"http_503": 4, "malformed": 2}, error_message=f"incomplete {XSS}")
    db_session.add(run)
    db_session.commit()
    job = _job(db_session, consecutive_failures=3, last_error=f"crawl: RuntimeError: {XSS}", last_run_id=run.id,
               locked_by="host-a:123:abcd", locked_until=utcnow() + timedelta(minutes=30))
    for role in ("viewer", "reviewer", "admin"):
        html = as_role(role).get("/jobs/").get_data(as_text=True)
        assert XSS not in html and "&lt;script&gt;alert(" in html  # error and run message escaped
        assert "mastodon-registry" in html and "host-a:123:abcd" in html and " WIB" in html
        assert f'href="/jobs/runs/{run.id}"' in html and "http_503: 4" in html and "post: 12" in html
        assert (f'action="/jobs/{job.id}/run"' in html) is (role == "admin")
        assert ('href="/jobs/new"' in html) is (role == "admin")
    page = as_role("viewer").get(f"/jobs/runs/{run.id}")
    assert page.status_code == 200 and XSS not in page.get_data(as_text=True)
    assert "malformed: 2" in page.get_data(as_text=True)
    assert as_role("viewer").get("/jobs/runs/99999").status_code == 404
    assert 'href="/jobs/"' in as_role("viewer").get("/queue/").get_data(as_text=True)  # the nav link


def test_screen_speaks_indonesian_by_default(as_role, db_session):
    _job(db_session, enabled=False)
    html = as_role("viewer").get("/jobs/").get_data(as_text=True)
    assert "Tugas crawl" in html and "Belum ada crawl run." in html


def test_admin_creates_edits_and_runs_now(as_role, db_session):
    admin = as_role("admin")
    assert admin.get("/jobs/new").status_code == 200
    assert admin.post("/jobs/new", FORM).status_code == 302
    fresh(db_session)
    job = db_session.scalar(select(CrawlJob).where(CrawlJob.name == "bsky-registry"))
    assert job.source == "bluesky" and job.targets == {"registry": True} and job.options == {"delay": 0}
    assert job.schedule == {"campaign": "60m", "quiet": "15m", "default": "6h"}
    assert job.profile_path == PROFILE and job.enabled and job.origin == "db" and job.next_run_at is None
    assert admin.post("/jobs/new", FORM).status_code == 400  # the name is taken

    assert admin.get(f"/jobs/{job.id}/edit").status_code == 200
    edited = {**FORM, "name": "renamed", "schedule_quiet": "", "schedule_voting_day": "15m", "enabled": ""}
    assert admin.post(f"/jobs/{job.id}/edit", edited).status_code == 302
    fresh(db_session)
    job = db_session.get(CrawlJob, job.id)
    assert job.name == "bsky-registry"  # names are identities, not editable
    assert job.schedule == {"campaign": "60m", "voting_day": "15m", "default": "6h"} and not job.enabled

    assert admin.post(f"/jobs/{job.id}/run").status_code == 302  # disabled: refused
    admin.post(f"/jobs/{job.id}/enabled", {"enabled": "1"})
    fresh(db_session)
    db_session.get(CrawlJob, job.id).next_run_at = utcnow() + timedelta(hours=6)
    db_session.commit()
    assert admin.post(f"/jobs/{job.id}/run").status_code == 302
    fresh(db_session)
    assert db_session.get(CrawlJob, job.id).next_run_at is None  # what the scheduler runs first
    admin.post(f"/jobs/{job.id}/enabled", {"enabled": "0"})
    assert _actions(db_session) == ["job.add", "job.edit", "job.enable", "job.run_now", "job.disable"]
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "job.edit"))
    assert event.actor == "admin" and event.object_id == str(job.id)
    assert event.details["enabled"] == [True, False] and "source" not in event.details


def test_run_now_refused_while_the_job_runs(as_role, db_session):
    job = _job(db_session, locked_by="host-b:9:ffff", locked_until=utcnow() + timedelta(minutes=20))
    html = as_role("admin").post(f"/jobs/{job.id}/run", follow_redirects=True).get_data(as_text=True)
    assert "host-b:9:ffff" in html
    fresh(db_session)
    assert db_session.get(CrawlJob, job.id).next_run_at is not None and _actions(db_session) == []


@pytest.mark.parametrize(("change", "message"), [
    ({"schedule_campaign": "5x"}, "interval &#39;5x&#39; must look like 90s, 15m, 1h or 1d"),
    ({"schedule_campaign": "", "schedule_quiet": "", "schedule_default": ""}, "schedule: Dictionary should have"),
    ({"source": "twitter"}, "source: String should match pattern"),
    ({"targets": "registry: yes"}, "must be a JSON object"),
    ({"options": '{"instance": "https://m.example"}'}, "option &#39;instance&#39; is for mastodon jobs"),
    ({"profile_path": "/nonexistent/profile.yaml"}, "Invalid profile"),
])
def test_invalid_jobs_are_rejected_with_a_clear_message(as_role, db_session, users, change, message):
    admin = as_role("admin")
    admin.client.post("/language", data={"csrf_token": admin.token, "locale": "en", "next": "/jobs/"})
    response = admin.post("/jobs/new", {**FORM, **change})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html, html
    assert 'value="bsky-registry"' in html  # the form keeps what was typed
    fresh(db_session)
    assert db_session.scalars(select(CrawlJob)).all() == [] and _actions(db_session) == []


def test_invalid_edit_changes_nothing(as_role, db_session):
    job = _job(db_session)
    form = {**FORM, "source": "mastodon", "options": "{}", "schedule_campaign": "0m"}
    response = as_role("admin").post(f"/jobs/{job.id}/edit", form)
    assert response.status_code == 400 and "90s, 15m, 1h" in response.get_data(as_text=True)
    fresh(db_session)
    assert db_session.get(CrawlJob, job.id).schedule == {"campaign": "60m", "default": "6h"}


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_viewers_and_reviewers_cannot_change_jobs(as_role, db_session, role):
    job = _job(db_session)
    browser = as_role(role)
    assert browser.get("/jobs/").status_code == 200
    assert browser.get("/jobs/new").status_code == 403
    assert browser.get(f"/jobs/{job.id}/edit").status_code == 403
    assert browser.post("/jobs/new", FORM).status_code == 403
    assert browser.post(f"/jobs/{job.id}/edit", FORM).status_code == 403
    assert browser.post(f"/jobs/{job.id}/enabled", {"enabled": "0"}).status_code == 403
    assert browser.post(f"/jobs/{job.id}/run").status_code == 403
    fresh(db_session)
    stored = db_session.get(CrawlJob, job.id)
    assert stored.enabled and stored.next_run_at is not None and _actions(db_session) == []


def test_csrf_is_enforced_on_every_job_form(as_role, db_session):
    job = _job(db_session)
    client = as_role("admin").client
    for path, data in (("/jobs/new", FORM), (f"/jobs/{job.id}/edit", FORM), (f"/jobs/{job.id}/enabled", {}),
                       (f"/jobs/{job.id}/run", {})):
        assert client.post(path, data=data).status_code == 400
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    fresh(db_session)
    assert db_session.scalars(select(CrawlJob.name)).all() == ["mastodon-registry"] and _actions(db_session) == []
    html = as_role("admin").get(f"/jobs/{job.id}/edit").get_data(as_text=True)
    assert html.count('name="csrf_token"') >= 2  # the job form and the header's forms


def test_unknown_job_is_404_for_admins(as_role, users):
    admin = as_role("admin")
    assert admin.get("/jobs/999/edit").status_code == 404
    assert admin.post("/jobs/999/run").status_code == 404


def test_an_unchanged_profile_is_not_reread(as_role, db_session):
    """The scheduler may run elsewhere: a stored profile path this host cannot read does not block edits."""
    job = _job(db_session, source="bluesky", options={}, profile_path="/srv/scheduler-only/profile.yaml")
    form = {**FORM, "profile_path": "/srv/scheduler-only/profile.yaml", "schedule_default": "3h"}
    assert as_role("admin").post(f"/jobs/{job.id}/edit", form).status_code == 302
    fresh(db_session)
    assert db_session.get(CrawlJob, job.id).schedule["default"] == "3h"
    assert as_role("admin").post(f"/jobs/{job.id}/edit", {**form, "profile_path": "/srv/other.yaml"}).status_code == 400
