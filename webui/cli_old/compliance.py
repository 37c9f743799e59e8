"""CLI for the review stage's exports: `netral export summary` and `netral export case`.

The `export` group lives in export.py (crawler stage); it calls add_commands(export) to attach these.
Every export is recorded in the audit trail under the operating-system user (`cli:<user>`).
"""

from __future__ import annotations

import functools
import getpass
import os
import sys
from pathlib import Path

import click

from models import record_event, session_scope
from webui.cli.common import open_engine


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry in some containers
        return "cli:unknown"


@click.command("summary")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (CSV default: stdout).")
@click.option("--institution", default="", help="Only this institution (exact name).")
@click.option("--province", default="")
@click.option("--regency", default="", help="Kabupaten or kota.")
@click.option("--platform", default="")
@click.option("--from", "date_from", default="", help="First day, YYYY-MM-DD (WIB).")
@click.option("--to", "date_to", default="", help="Last day, YYYY-MM-DD (WIB).")
@click.option("--with-nip", is_flag=True, help="Include civil-servant numbers (sensitive; left out by default).")
def summary(fmt, output, institution, province, regency, platform, date_from, date_to, with_nip) -> None:
    """Write the compliance summary: flagged/confirmed/dismissed counts by rule, and the confirmed cases."""
    from webui.exports import writer
    from webui.exports.query import SummaryFilter

    try:
        f = SummaryFilter.from_mapping(dict(institution=institution, province=province, regency=regency,
                                            platform=platform, date_from=date_from, date_to=date_to))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if fmt != "csv" and output is None:
        raise click.UsageError(f"--output is required for {fmt}")
    engine = open_engine()
    with session_scope(engine, write=True) as s:
        record_event(s, _actor(), "export.summary", None, None, {"format": fmt, "nip": with_nip, **f.describe()})
    write, _mimetype = writer(fmt)
    if fmt == "pdf":
        write = functools.partial(write, max_cases=int(os.environ.get("NETRAL_PDF_MAX_CASES") or 2000))
    with session_scope(engine) as s:
        if output is None:
            write(s, f, with_nip, sys.stdout.buffer)
        else:
            with open(output, "wb") as fh:
                write(s, f, with_nip, fh)
            click.echo(f"summary written to {output}", err=True)


@click.command("case")
@click.argument("flag_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PDF file to write.")
@click.option("--with-nip", is_flag=True, help="Include the person's NIP (sensitive; left out by default).")
def case(flag_id: int, output: Path, with_nip: bool) -> None:
    """Write the evidence report (PDF) for one flagged case."""
    from webui.exports.evidence import write_case_pdf
    from webui.review.case_data import load_case

    engine = open_engine()
    with session_scope(engine) as s:
        found = load_case(s, flag_id)
        if found is None:
            raise click.ClickException(f"no flag with id {flag_id}")
        with open(output, "wb") as fh:
            write_case_pdf(found, fh, include_nip=with_nip, generated_by=_actor())
    with session_scope(engine, write=True) as s:
        record_event(s, _actor(), "export.case", "flag", flag_id, {"nip": with_nip})
    click.echo(f"evidence report written to {output}", err=True)


def add_commands(group: click.Group) -> None:
    group.add_command(summary)
    group.add_command(case)
