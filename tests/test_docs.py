"""Docs are tested too: every CLI command and every environment variable appears in the README."""

import re

import click

from netral.cli import cli
from tests.conftest import ROOT

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


NAME = r"(NETRAL_[A-Z0-9_]+|REDIS_URL)"
# Reads of the environment: os.environ / getenv, Click's envvar=, webui.config's _flag/_int/_str helpers.
ENV_READ = re.compile(r"(?:environ(?:\.get)?\(|environ\[|getenv\(|envvar=|_flag\(|_int\(|_str\(|_ENV = )"
                      r"\s*[\"']" + NAME)


def _package_sources():
    for package in ("models", "crawler", "nlp", "webui"):
        for path in (ROOT / package).rglob("*.py"):
            yield path.read_text()


def test_every_setting_and_environment_variable_is_documented():
    sources = list(_package_sources())
    mentioned = {name for src in sources for name in re.findall(rf"\b{NAME}\b", src)}
    from_env = {name for src in sources for name in ENV_READ.findall(src)}
    assert "NETRAL_DATABASE_URL" in from_env and "NETRAL_SECRET_KEY" in from_env
    missing_readme = sorted(n for n in mentioned if f"`{n}`" not in README)
    missing_example = sorted(n for n in from_env if f"{n}=" not in ENV_EXAMPLE)
    assert not missing_readme and not missing_example, (missing_readme, missing_example)
