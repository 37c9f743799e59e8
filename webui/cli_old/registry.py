"""CLI for the registry: import monitored people and their accounts, list them."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Person, PersonRole, session_scope
from models.registry_import import RegistryImportError, import_registry, write_rejects
from webui.cli.common import open_engine


@click.group()
def registry() -> None:
    """Manage the registry of monitored people (ASN, election organizers) and their accounts."""


@registry.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--accept-valid", is_flag=True, help="Import the good rows even when some are bad.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path), help="With --accept-valid: write bad rows here.")
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


def register(cli: click.Group) -> None:
    cli.add_command(registry)
