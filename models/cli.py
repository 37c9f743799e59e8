"""Store stage commands: `netral db`, `registry` and `audit`, and the helpers every stage's
commands share (opening the database, refusing one that is not migrated)."""

from __future__ import annotations

import functools
from pathlib import Path

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from models import Person, PersonRole, migrate, session_scope
from models.audit import chain_head, seal_chain, verify_all
from models.migrate import alembic_config
from models.registry_import import RegistryImportError, import_registry, write_rejects
from models.session import database_url, make_engine


def schema_problem(engine: Engine) -> str | None:
    """Return why the database cannot be used by this code (not migrated, or behind), or None."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == head:
        return None
    if current is None:
        return "the database has no schema yet: run `netral db upgrade`"
    return f"the database is at revision {current}, this code expects {head}: run `netral db upgrade`"


def database_refusal(exc: SQLAlchemyError) -> str:
    """What the database refused, without the statement's parameters (they hold NIPs and names)."""
    orig = getattr(exc, "orig", None) or exc
    first = (str(orig).strip().splitlines() or [""])[0]
    if not getattr(exc, "orig", None):
        first = type(exc).__name__  # SQLAlchemy's own message repeats the parameters
    return f"the database refused the data ({type(orig).__name__}: {first[:200]})"


@functools.cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def open_engine(check_schema: bool = True) -> Engine:
    """Return the engine for NETRAL_DATABASE_URL, refusing a database that is not migrated to head."""
    engine = _engine(database_url())
    if check_schema:
        problem = schema_problem(engine)
        if problem:
            raise click.ClickException(problem)
    return engine


def safe_url(url: str) -> str:
    """Return the URL with any password masked, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.group()
def db() -> None:
    """Create, migrate and check the database (NETRAL_DATABASE_URL, default: instance/netral.db)."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(revision: str) -> None:
    """Create the schema or migrate it to the latest revision."""
    url = database_url()
    click.echo(f"Upgrading {safe_url(url)} to {revision}")
    migrate.upgrade(url, revision)
    click.echo("Done.")


@db.command()
def check() -> None:
    """Fail if the models hold changes that no migration describes."""
    try:
        migrate.check(database_url())
    except CommandError as exc:
        raise click.ClickException(f"models and migrations disagree: {exc}") from None
    click.echo("Models and migrations agree.")


@db.command()
def current() -> None:
    """Show the database's current revision."""
    migrate.current(database_url())


@click.group()
def registry() -> None:
    """Manage the registry of monitored people (ASN, election organizers) and their accounts."""


@registry.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--accept-valid", is_flag=True, help="Import the good rows even when some are bad.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="With --accept-valid: write bad rows here.")
def import_cmd(csv_file: Path, accept_valid: bool, rejects: Path | None) -> None:
    """Import CSV_FILE (name,role,institution,unit,position,region,platform,handle,profile_url,nip).

    All-or-nothing by default: one bad row and nothing is written. Re-importing a file changes nothing.
    """
    engine = open_engine()
    try:
        with session_scope(engine, write=True) as session:
            report = import_registry(session, csv_file, accept_valid=accept_valid)
    except RegistryImportError as exc:
        for bad in exc.rejected:
            click.echo(f"{csv_file}:{bad.line}: {bad.reason}", err=True)
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        raise click.ClickException(f"{csv_file}: {database_refusal(exc)}; nothing imported") from None
    for bad in report.rejected:
        click.echo(f"{csv_file}:{bad.line}: rejected: {bad.reason}", err=True)
    if report.rejected and rejects:
        write_rejects(report.rejected, rejects)
        click.echo(f"Rejected rows written to {rejects}", err=True)
    click.echo(report.summary())


@registry.command("list")
@click.option("--role", type=click.Choice([r.value for r in PersonRole]), help="Only this role.")
@click.option("--show-nip", is_flag=True, help="Show NIPs (sensitive personal data).")
def list_cmd(role: str | None, show_nip: bool) -> None:
    """List registered people with their accounts."""
    engine = open_engine()
    with session_scope(engine) as session:
        query = select(Person).options(selectinload(Person.links)).order_by(Person.institution, Person.name)
        if role:
            query = query.where(Person.role == PersonRole(role))
        people = session.scalars(query).all()
        for person in people:
            nip = f"  NIP {person.nip}" if show_nip and person.nip else ""
            click.echo(f"{person.id:>5}  {person.name}  [{person.role.value}]  {person.institution}"
                       f"{' / ' + person.unit if person.unit else ''}  {person.region or '-'}{nip}")
            for link in person.links:
                acct = link.account
                click.echo(f"         {acct.platform.value}:{acct.handle or acct.platform_id}  "
                           f"({link.method.value}, {link.status.value})")
        click.echo(f"{len(people)} people")


@click.group()
def audit() -> None:
    """Inspect the append-only audit trail."""


@audit.command()
def verify() -> None:
    """Check the keyed hash chain, every stored evidence hash, the reviews, the flag states and the decided
    account links; print the chain head; list every problem and exit non-zero if there is one."""
    with session_scope(open_engine()) as session:
        report = verify_all(session)
    c = report.counts
    click.echo(f"Checked {c['events']} event(s), {c['posts']} post(s), {c['interactions']} interaction(s), "
               f"{c['reviews']} review(s), {c['flags']} flag(s), {c['links']} decided link(s)")
    chain = report.chain
    if chain.head_id is not None:
        click.echo(f"Head: event {chain.head_id} {chain.head_hash}")
    if report.ok:
        click.echo(f"Audit chain intact: {chain.checked} event(s), head {chain.head_hash}; "
                   "evidence, reviews, flag states and decided links match")
        return
    for problem in report.problems:
        click.echo(f"PROBLEM {problem}", err=True)
    if report.omitted:
        click.echo(f"... and {report.omitted} more problem(s)", err=True)
    if not chain.ok:
        raise click.ClickException(
            f"audit chain broken at event {chain.broken_id}: {chain.problem} "
            f"({chain.checked} event(s) before it verified)"
        )
    raise click.ClickException(f"{len(report.problems) + report.omitted} problem(s) found; the chain itself verified")


@audit.command()
def head() -> None:
    """Print the chain head (latest event id and hash) to file outside the system or print on a report."""
    with session_scope(open_engine()) as session:
        current = chain_head(session)
    if current is None:
        click.echo("The audit trail is empty")
        return
    click.echo(f"{current.id} {current.hash}")


@audit.command()
def seal() -> None:
    """Append the "audit.keyed" marker to a chain still unkeyed (stored before the audit key existed)."""
    with session_scope(open_engine(), write=True) as session:
        marker = seal_chain(session)
        text = None if marker is None else f"Sealed: marker event {marker.id} {marker.hash}"
    click.echo(text or "Nothing to seal: the chain is empty, already keyed, or broken (run `netral audit verify`)")


COMMANDS = [db, registry, audit]
