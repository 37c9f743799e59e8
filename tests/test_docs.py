"""Docs are tested too: every CLI command and every environment variable appears in the README."""

import re

import click

from tests.conftest import ROOT
from webui.cli import cli

README = (ROOT / "README.md").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()


def _commands(group: click.Group, prefix: str = "netral"):
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        yield path
        if isinstance(command, click.Group):
            yield from _commands(command, path)


def test_every_command_is_in_the_readme():
    missing = [path for path in _commands(cli) if f"`{path}" not in README]
    assert not missing, f"commands missing from README.md: {missing}"


def _env_vars_in_code():
    names = set()
    for package in ("models", "crawler", "nlp", "webui"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(re.findall(r"\b(NETRAL_[A-Z0-9_]+|REDIS_URL)\b", path.read_text()))
    return names


def test_every_environment_variable_is_documented():
    names = _env_vars_in_code()
    assert "NETRAL_DATABASE_URL" in names
    missing_readme = sorted(n for n in names if f"`{n}`" not in README)
    missing_example = sorted(n for n in names if f"{n}=" not in ENV_EXAMPLE)
    assert not missing_readme and not missing_example, (missing_readme, missing_example)
