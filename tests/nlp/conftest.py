"""Fixtures for the NLP stage tests: the example profile, its gazetteer, the shipped classifier, a CLI."""

from __future__ import annotations

import click
import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="session")
def profile():
    from models.profile import load_profile

    return load_profile(ROOT / "examples" / "profile.yaml")


@pytest.fixture(scope="session")
def gaz(profile):
    from nlp.gazetteer import build

    return build(profile)


@pytest.fixture(scope="session")
def clf():
    from nlp.classifier import load

    return load()


@pytest.fixture
def nlp_cli():
    """A CLI group with only this stage's commands, registered as the foundation does."""
    from nlp import cli as nlp_commands

    @click.group()
    def cli() -> None:
        pass

    for command in nlp_commands.COMMANDS:
        cli.add_command(command)
    return cli
