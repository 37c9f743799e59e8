"""Docs are tested too: every CLI command and environment variable is in the README, every path it names exists."""

import ast
import functools
import re
import subprocess
from pathlib import Path

import click
import pytest

from netral.cli import cli
from tests.conftest import ROOT
from tests.test_layers import STAGES

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


# Docs whose backticked paths must exist (relative to the repository or to the doc's folder).
DOCS = ("README.md", "webui/README.md", "nlp/MODEL_CARD.md", "nlp/data/MODEL_CARD.template.md", "nlp/data/SOURCES.md")
# Created at run time, not shipped: the demo's data, the instance folder, test screenshots, the virtualenv,
# reviewers' decisions exported for training.
RUN_TIME = ("demo-data/", "instance/", "test-output/", ".venv/", "nlp/data/reviews.jsonl")
PATH = re.compile(r"[\w-]+(/[\w.-]+)*/?")  # no globs (`dev_*`), URLs or `module:function`


def _named_paths(text: str):
    """Yield every repository path named in backticks (`crawler/verbatim.py`, `tests/fixtures/`), and the
    file of every `python -m MODULE`; code blocks are left out (they hold commands and sample files)."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    top_level = {p.name for p in ROOT.iterdir() if p.is_dir()}
    for span in re.findall(r"`([^`\n]+)`", text):
        words = [w.strip("'\"()[],;").removeprefix("./") for w in span.split()]
        for before, word, after in zip(["", *words[:-1]], words, [*words[1:], ""], strict=True):
            if before.endswith("python") and word == "-m":
                yield after.replace(".", "/") + ("/__main__.py" if "." not in after else ".py")
            elif "/" in word and PATH.fullmatch(word) and (
                    word.split("/")[0] in top_level or word.endswith("/") or re.search(r"\.[a-z]+$", word)):
                yield word  # not a placeholder like `user add/password` or `Netral/0.1`


def test_the_path_finder_finds_paths_and_leaves_placeholders():
    text = ("`crawler/verbatim.py`, `tests/fixtures/`, `netral user add/password`, `Netral/0.1 (...)`,\n"
            "`python -m nlp.training.generate`, `python -m samplenet --scenario FILE`, `'webui:create_app()'`,\n"
            "`https://bsky.app/profile/HANDLE`, `dev_*`, `pytest -m slow`\n```\nnot/this.py\n```\n")
    assert list(_named_paths(text)) == ["crawler/verbatim.py", "tests/fixtures/", "nlp/training/generate.py",
                                        "samplenet/__main__.py"]


@functools.cache
def _tracked_files() -> tuple[str, ...]:
    """The repository's files as git knows them (a leftover empty folder or a local file does not count)."""
    return tuple(subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
                 .stdout.splitlines())


def _in_repository(path: str) -> bool:
    path = path.rstrip("/")
    return any(file == path or file.startswith(path + "/") for file in _tracked_files())


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_the_docs_name_exists(doc):
    folder = Path(doc).parent.as_posix()
    missing = [path for path in _named_paths((ROOT / doc).read_text())
               if not path.startswith(RUN_TIME)
               and not _in_repository(path) and not _in_repository(f"{folder}/{path}")]
    assert not missing, f"{doc} names paths that are not in the repository: {missing}"


def test_the_readme_lists_every_top_level_folder():
    folders = {file.split("/")[0] for file in _tracked_files() if "/" in file and not file.startswith(".")}
    section = README.split("## How it fits together")[1].split("\n## ")[0]
    listed = set(re.findall(r"^\| `([\w-]+)/` \|", section, flags=re.M))
    assert listed == folders, f"README's folder table: missing {folders - listed}, stale {listed - folders}"


@pytest.mark.parametrize("package", sorted(str(p.parent.relative_to(ROOT)) for stage in STAGES
                                           for p in (ROOT / stage).rglob("__init__.py")))
def test_every_package_says_what_it_may_import(package):
    doc = ast.get_docstring(ast.parse((ROOT / package / "__init__.py").read_text())) or ""
    assert "import" in doc, f"{package}/__init__.py: the docstring should name its stage and what it may import"
