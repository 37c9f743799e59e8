"""CLI for the NLP stage: classify, detect-role, flag, `nlp train` / `nlp evaluate`, and `profile check`.

Each command is a thin call into nlp/. The batch forms (`classify FILE`, `detect-role FILE`)
never touch the database.
"""

from __future__ import annotations

import json
import sys

import click


def _load_profile(path: str | None):
    if not path:
        return None
    from models.profile import ProfileError, load_profile

    try:
        return load_profile(path)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None


def _lines(path: str):
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


@click.command()
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False),
              help="Election profile YAML: its names, parties, hashtags and numbers are masked and matched.")
@click.argument("file", required=False)
def classify(profile_file: str | None, file: str | None) -> None:
    """Label posts partisan / election_info / other.

    Without FILE: classify posts in the database not yet classified by the current model.
    With FILE (JSON lines {"id", "text"}; - for stdin): write {"id", "label", "score", "reasons"}
    per line to stdout, touching no database; malformed lines are named on stderr and make the
    exit status 1 at the end.
    """
    profile = _load_profile(profile_file)
    if file is not None:
        from nlp.batch import classify_stream

        with _lines(file) as fh:
            bad = classify_stream(fh, sys.stdout, sys.stderr, profile)
        if bad:
            click.echo(f"{bad} malformed line(s)", err=True)
            sys.exit(1)
        return
    from models.cli import open_engine
    from nlp.jobs.classify import classify_pending, count_pending

    engine = open_engine()
    with click.progressbar(length=count_pending(engine), label="classifying", show_pos=True,
                           file=sys.stderr) as bar:
        result = classify_pending(engine, profile, progress=bar.update)
    click.echo(json.dumps(result))


@click.command("detect-role")
@click.argument("file")
def detect_role(file: str) -> None:
    """Detect asn / organizer / candidate / other from bios (JSON lines {"id", "bio", "name"?}; - for stdin).

    Writes {"id", "role", "score", "evidence"} per line; a detected role is only a suggestion.
    """
    from nlp.batch import detect_role_stream

    with _lines(file) as fh:
        bad = detect_role_stream(fh, sys.stdout, sys.stderr)
    if bad:
        click.echo(f"{bad} malformed line(s)", err=True)
        sys.exit(1)


@click.command()
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False),
              help="Election profile YAML: campaign accounts and the calendar that sets severity.")
def flag(profile_file: str | None) -> None:
    """Run the neutrality rules on classified posts and interactions; re-running adds only new flags.

    Also suggests roles for unlinked accounts from their bios (suggestions never flag anyone
    until a reviewer confirms them).
    """
    from models.cli import open_engine
    from nlp.jobs.flag import run_rules
    from nlp.jobs.suggest import suggest_roles

    profile = _load_profile(profile_file)
    click.echo(json.dumps(suggest_roles(open_engine())))
    with click.progressbar(length=0, label="checking accounts", show_pos=True, file=sys.stderr) as bar:
        result = run_rules(open_engine(), profile, progress=bar.update)
    click.echo(json.dumps(result))


@click.group()
def nlp() -> None:
    """Train and evaluate the political classifier."""


@nlp.command()
@click.option("--with-reviews", is_flag=True, help="Export reviewers' decisions from the database and learn from them.")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False),
              help="Profile of the reviewed election (used to mask its names in the exported examples).")
def train(with_reviews: bool, profile_file: str | None) -> None:
    """Train the classifier from nlp/data; write nlp/model/ (artifact + pedigree) and nlp/MODEL_CARD.md."""
    # NETRAL_NLP_DATA_DIR and NETRAL_MODEL_DIR move the data read and the model written (nlp.training.train);
    # reviews are exported to the instance folder, not into the package.
    from nlp.training.train import train as run_train

    reviews = None
    if with_reviews:
        from models.cli import open_engine
        from nlp.jobs.feedback import export_reviews, reviews_path

        reviews = reviews_path()
        counts = export_reviews(open_engine(), _load_profile(profile_file), reviews)
        click.echo(f"exported reviewed examples: {json.dumps(counts)}")
    run_train(with_reviews=with_reviews, echo=click.echo, reviews=reviews)


@nlp.command()
@click.option("--split", type=click.Choice(["holdout", "test", "dev", "final"]), default="holdout", show_default=True)
@click.option("--errors", is_flag=True, help="Also list the misclassified examples.")
def evaluate(split: str, errors: bool) -> None:
    """Evaluate the shipped model on a held-out set and print its metrics as JSON."""
    from nlp.training.evaluate import report

    result = report(split=split)
    if not errors:
        result.pop("classifier_errors")
        result.pop("role_errors")
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@click.group()
def profile() -> None:
    """Work with election profiles (YAML: calendar, candidates, parties, official accounts)."""


@profile.command("check")
@click.argument("profile_file", type=click.Path(dir_okay=False))
def check_profile(profile_file: str) -> None:
    """Validate PROFILE_FILE and print a summary; exit non-zero naming the bad field."""
    from models.profile import ProfileError, load_profile
    from nlp.gazetteer import alias_warnings

    try:
        loaded = load_profile(profile_file)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(loaded.summary())
    for warning in alias_warnings(loaded):
        click.echo(f"warning: {warning}")
    click.echo("Profile is valid.")


# `profile check` lives here: beyond the profile's own validation it warns about names the gazetteer
# would match in everyday text (nlp.gazetteer.alias_warnings).
COMMANDS = [classify, detect_role, flag, nlp, profile]
