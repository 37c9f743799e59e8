"""CLI for periodic crawl jobs: run due jobs (crawl, classify, flag) on the election-phase schedule; list jobs."""

from __future__ import annotations

import signal
import threading
from datetime import timedelta
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from models.cli import open_engine
from models.jobs import CrawlJob
from models.session import session_scope
from scheduler.runner import Scheduler
from scheduler.specs import ScheduleError, load_config, sync_jobs


@click.group(invoke_without_command=True)
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Jobs YAML file; its jobs are synced into the database first.")
@click.option("--once", is_flag=True, help="Run the jobs due now, then exit.")
@click.option("--poll", default=30.0, show_default=True, help="Seconds between looks for due jobs.")
@click.option("--lease", default=60, show_default=True, help="Minutes a job's lock lasts if its scheduler dies.")
@click.pass_context
def scheduler(ctx: click.Context, config_path: Path | None, once: bool, poll: float, lease: int) -> None:
    """Run due crawl jobs, each as a crawl run followed by classification and flagging.

    Jobs come from the database (editable by admins) and from --config. Intervals depend on the
    election phase (e.g. hourly in the campaign, every 15 minutes in the quiet period and on voting day).
    Several schedulers may run at once, on several machines: a job is never run by two of them.
    Stop with Ctrl-C or SIGTERM; the job in progress finishes first.
    """
    if ctx.invoked_subcommand is not None:
        return
    engine = open_engine()
    if config_path:
        try:
            config = load_config(config_path)
        except ScheduleError as exc:
            raise click.ClickException(str(exc)) from None
        counts = sync_jobs(engine, config)
        click.echo(f"{config_path}: {counts['created']} job(s) created, {counts['updated']} updated, "
                   f"{counts['disabled']} disabled")
    runner = Scheduler(engine, lease=timedelta(minutes=lease))
    stop = threading.Event()
    if not once:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"scheduler {runner.me}: polling every {poll:g}s (Ctrl-C to stop)")
    while True:
        try:
            outcomes = runner.run_pending(stop)
        except SQLAlchemyError as exc:  # the database restarting must not end a long-running scheduler
            if once:
                raise click.ClickException(f"database error: {exc}") from None
            click.echo(f"database error, retrying in {poll:g}s: {type(exc).__name__}", err=True)
            outcomes = []
        for outcome in outcomes:
            when = outcome.next_run_at.strftime("%Y-%m-%d %H:%M:%SZ") if outcome.next_run_at else "-"
            status = f"ok (run {outcome.run_id})" if outcome.ok else f"FAILED: {outcome.error}"
            click.echo(f"{outcome.job}: {status}; next run {when}")
        if once or stop.wait(poll):
            break


@scheduler.command("list")
def list_cmd() -> None:
    """List crawl jobs: schedule, next run, lock holder, failures and the last error."""
    engine = open_engine()
    with session_scope(engine) as session:
        jobs = session.scalars(select(CrawlJob).order_by(CrawlJob.name)).all()
    if not jobs:
        click.echo("No crawl jobs. Add some with `netral scheduler --config jobs.yaml`.")
    for job in jobs:
        nxt = job.next_run_at.strftime("%Y-%m-%d %H:%M:%SZ") if job.next_run_at else "now"
        schedule = ", ".join(f"{k}={v}" for k, v in (job.schedule or {}).items())
        state = "enabled" if job.enabled else "disabled"
        click.echo(f"{job.name}  [{job.source}, {state}, {job.origin}]  {schedule}  next: {nxt}")
        if job.locked_by:
            click.echo(f"    running on {job.locked_by} (lease until {job.locked_until:%H:%M:%SZ})")
        if job.consecutive_failures:
            click.echo(f"    {job.consecutive_failures} failure(s) in a row; last error: {job.last_error}")


COMMANDS = [scheduler]
