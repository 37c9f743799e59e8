"""CLI for the one-command demo: sample network -> crawl -> classify -> flag -> review UI, all on loopback.

Everything the demo shows comes from data files (examples/demo/scenario.yaml, registry.csv and the
election profile); the pipeline is the production one: crawl jobs run by the scheduler, whose crawl step
runs the real spiders in child processes.
"""

from __future__ import annotations

import os
import secrets
import signal
import time
from pathlib import Path

import click
from sqlalchemy import select, update

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "examples" / "demo"
DEMO_USER = "demo"
SCHEDULE = {"campaign": "60m", "quiet": "15m", "voting_day": "15m", "default": "6h"}


def _step(message: str, started: float) -> None:
    click.echo(f"[{time.monotonic() - started:5.1f}s] {message}")


def _jobs(samplenet_url: str, profile: Path):
    """The demo's crawl jobs: both platforms, candidates post-centric and the registry account-centric."""
    from scheduler.specs import JobsConfig

    fast = {"delay": 0, "concurrency": 8}
    return JobsConfig.model_validate({"jobs": [
        {"name": "demo-bluesky", "source": "bluesky", "profile": str(profile), "targets": {"registry": True},
         "options": {"appview": samplenet_url, "plc": samplenet_url, **fast}, "schedule": SCHEDULE},
        {"name": "demo-mastodon", "source": "mastodon", "profile": str(profile), "targets": {"registry": True},
         "options": {"instance": samplenet_url, **fast}, "schedule": SCHEDULE},
    ]})


def _reviewer(engine) -> str:
    """Create (or reset) the demo reviewer; return its new random password."""
    from models import UserRole
    from models.audit import cli_actor
    from webui.users import create_user, set_password

    password = secrets.token_urlsafe(12)
    if set_password(engine, cli_actor("demo"), password, username=DEMO_USER) is None:
        create_user(engine, cli_actor("demo"), DEMO_USER, password, UserRole.REVIEWER, locale="id")
    return password


@click.command()
@click.option("--port", default=8765, show_default=True, type=int, help="Port of the review UI on 127.0.0.1.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-data"),
              show_default=True, help="Where the demo's SQLite database and instance files go.")
@click.option("--samplenet-port", type=int,
              help="Port of the sample network (default: --port + 1; fixed, so a rerun finds the same URLs).")
@click.option("--scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=DEMO_DIR / "scenario.yaml", help="Scenario the sample network serves.")
@click.option("--registry", "registry_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=DEMO_DIR / "registry.csv", help="Registry CSV of monitored people.")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=ROOT / "examples" / "profile.yaml", help="Election profile.")
@click.option("--no-serve", is_flag=True, help="Stop after flagging (for tests and scripts).")
def demo(port: int, data_dir: Path, samplenet_port: int | None, scenario: Path, registry_csv: Path, profile: Path,
         no_serve: bool) -> None:
    """Run the whole pipeline on a built-in sample network and serve the review UI.

    Creates an SQLite database in --data-dir, imports the sample registry, serves a fictional Pilkada
    in the real Bluesky and Mastodon formats on 127.0.0.1, crawls it with the real spiders (candidates
    post-centric, registry accounts account-centric), classifies, flags, creates a reviewer account and
    serves the UI until Ctrl-C. Running it again reuses the database (nothing is duplicated).
    """
    started = time.monotonic()
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'netral.db'}"
    # The child crawl processes and the app read these; set before anything opens the database.
    os.environ["NETRAL_DATABASE_URL"] = url
    os.environ["NETRAL_INSTANCE_DIR"] = str(data_dir)

    from models.jobs import CrawlJob
    from models.migrate import upgrade
    from models.registry import Person
    from models.registry_import import RegistryImportError, import_registry
    from models.session import make_engine, session_scope
    from samplenet import SampleNetwork
    from scheduler.runner import Scheduler
    from scheduler.specs import sync_jobs

    upgrade(url)
    engine = make_engine(url)
    _step(f"database ready: {data_dir / 'netral.db'}", started)
    # Only into a new database: a crawl has since completed the registry's Mastodon handles (user@host),
    # and importing the bare handles again would add a second, empty account for each.
    with session_scope(engine) as session:
        has_registry = session.scalar(select(Person.id).limit(1)) is not None
    if has_registry:
        _step("registry already imported", started)
    else:
        try:
            with session_scope(engine, write=True) as session:
                report = import_registry(session, registry_csv, actor="cli:demo")
        except RegistryImportError as exc:
            raise click.ClickException(str(exc)) from None
        _step(f"registry {registry_csv.name}: {report.summary()}", started)

    # Realistic format, no realistic rate limits: the demo must be ready in under a minute.
    net = SampleNetwork(scenario, port=port + 1 if samplenet_port is None else samplenet_port, rate_limits={}).start()
    try:
        _step(f"sample network serving {scenario.name} at {net.url} (Bluesky AppView/PDS/PLC + Mastodon)", started)
        config = _jobs(net.url, profile.resolve())
        sync_jobs(engine, config)
        names = [job.name for job in config.jobs]
        with session_scope(engine, write=True) as session:  # due now, whatever an earlier demo run left
            session.execute(update(CrawlJob).where(CrawlJob.name.in_(names))
                            .values(next_run_at=None, locked_by=None, locked_until=None))
        scheduler = Scheduler(engine)
        for job_id in scheduler.due_jobs():
            if not scheduler.acquire(job_id):
                continue
            outcome = scheduler.run_job(job_id)
            if not outcome.ok:
                raise click.ClickException(f"{outcome.job} failed: {outcome.error}")
            _step(f"{outcome.job}: crawled (run {outcome.run_id}), classified, flagged", started)
        _summary(engine, started)
        password = _reviewer(engine)
        if no_serve:
            click.echo(f"Reviewer: {DEMO_USER} / {password}")
            return
        _serve(url, port, password, started)
    finally:
        net.stop()
        engine.dispose()


def _summary(engine, started: float) -> None:
    from sqlalchemy import func

    from models import Flag, Interaction, Post
    from models.session import session_scope

    with session_scope(engine) as session:
        counts = {name: session.scalar(select(func.count()).select_from(model))
                  for name, model in (("posts", Post), ("interactions", Interaction), ("flags", Flag))}
    _step(", ".join(f"{v} {k}" for k, v in counts.items()), started)


def _serve(url: str, port: int, password: str, started: float) -> None:
    from werkzeug.serving import make_server

    from webui import create_app

    app = create_app({"DATABASE_URL": url})
    server = make_server("127.0.0.1", port, app, threaded=True)
    # Ctrl-C and SIGTERM both end the demo cleanly (a shell may start it with SIGINT ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    _step("ready", started)
    click.echo(f"\n  Review UI:  http://127.0.0.1:{port}/\n  Log in as:  {DEMO_USER} / {password}\n\n"
               "  Ctrl-C to stop.\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        server.server_close()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


COMMANDS = [demo]
