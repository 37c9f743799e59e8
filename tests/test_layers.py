"""The stages import each other only one way, and our modules form no import cycle at module level.

`breaches(root)` reads every import (module level and inside functions; relative ones resolved) of the
stage packages under `root` with `ast` and returns one line per breach, `file:line: message`. The layers:

- models: the store; imports nothing of ours.
- crawler: imports models (and itself).
- nlp, pure modules (all of nlp/ but nlp/jobs/, nlp/training/, nlp/cli.py): import only pure nlp modules.
- nlp's database modules (nlp/jobs/, nlp/training/, nlp/cli.py): import models and nlp.
- scheduler: imports models, crawler and nlp; only webui and netral import it.
- webui: imports models, crawler, nlp and scheduler; nothing imports it but netral.
- samplenet: the simulated network; imports no stage, and only netral imports it.
- netral: the composition root; imports every stage, and nothing imports it.

Imports under `if TYPE_CHECKING:` never run, so they are left out of the cycle graph (the layers still
hold for them); imports inside functions are allowed to break a cycle but obey the layers too.
"""

from __future__ import annotations

import ast
import graphlib
import itertools
from pathlib import Path

from tests.conftest import ROOT

STAGES = ("models", "crawler", "nlp", "scheduler", "samplenet", "webui", "netral")
NLP_DATABASE = ("nlp.jobs", "nlp.training", "nlp.cli")  # the rest of nlp/ is "nlp (pure)"
PURE, DATABASE = "nlp (pure)", "nlp (database)"
MAY_IMPORT = {  # layer -> the layers it may import
    "models": {"models"},
    "crawler": {"crawler", "models"},
    PURE: {PURE},
    DATABASE: {PURE, DATABASE, "models"},
    "scheduler": {"scheduler", "models", "crawler", PURE, DATABASE},
    "webui": {"webui", "models", "crawler", PURE, DATABASE, "scheduler"},
    "samplenet": {"samplenet"},
    "netral": {"netral", "models", "crawler", PURE, DATABASE, "scheduler", "samplenet", "webui"},
}


def _layer(module: str) -> str:
    if any(module == prefix or module.startswith(prefix + ".") for prefix in NLP_DATABASE):
        return DATABASE
    top = module.split(".")[0]
    return PURE if top == "nlp" else top


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str, modules):
    """Yield (line, imported module, runs at import time) for every import in one file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def visit(nodes: list[ast.AST], at_import_time: bool):
        for child in nodes:
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield child.lineno, alias.name, at_import_time
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: `from ..x import y` climbs level - 1 packages from this one
                    parent = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(parent + ([child.module] if child.module else []))
                names = [f"{base}.{alias.name}" for alias in child.names]
                submodules = [name for name in names if name in modules]  # `from pkg import sub`
                for target in submodules + ([base] if len(submodules) < len(names) else []):
                    yield child.lineno, target, at_import_time
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(list(ast.iter_child_nodes(child)), False)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from visit(child.body, False)
                yield from visit(child.orelse, at_import_time)
            else:
                yield from visit(list(ast.iter_child_nodes(child)), at_import_time)

    yield from visit(ast.parse(path.read_text(), str(path)).body, True)


def breaches(root: Path) -> list[str]:
    """Every import that breaks a layer rule, and every module-level import cycle, as 'file:line: ...'."""
    files = {_module_name(p, root): p for stage in STAGES if (root / stage).is_dir()
             for p in sorted((root / stage).rglob("*.py"))}
    found, graph, where, seen = [], {module: set() for module in files}, {}, set()
    for module, path in files.items():
        for line, target, at_import_time in _imports(path, module, graph.keys()):
            if target.split(".")[0] not in STAGES:
                continue  # the standard library or a third-party package
            origin = f"{path.relative_to(root)}:{line}"
            if _layer(target) not in MAY_IMPORT[_layer(module)] and (origin, _layer(target)) not in seen:
                seen.add((origin, _layer(target)))  # one report per line and forbidden layer
                allowed = ", ".join(sorted(MAY_IMPORT[_layer(module)]))
                found.append(f"{origin}: {module} imports {target}; {_layer(module)} may import only {allowed}")
            if at_import_time and target in files and target != module:
                graph[module].add(target)
                where.setdefault((module, target), origin)
    while True:  # report every cycle: find one, cut its closing edge, look again
        try:
            graphlib.TopologicalSorter(graph).prepare()
            return found
        except graphlib.CycleError as error:
            cycle = error.args[1][::-1]  # graphlib lists [a, ..., b, a] with each one imported by the next
            steps = ", ".join(f"{where[edge]} ({edge[0]} -> {edge[1]})" for edge in itertools.pairwise(cycle))
            found.append(f"import cycle at module level: {steps}")
            graph[cycle[-2]].discard(cycle[-1])


def test_the_stages_import_each_other_only_one_way_and_without_cycles():
    assert all((ROOT / stage / "__init__.py").is_file() for stage in STAGES)  # the walk has code to read
    found = breaches(ROOT)
    assert not found, "layer breaches:\n" + "\n".join(found)


def test_the_checker_reports_a_planted_breach_and_cycle(tmp_path):
    files = {
        "models/__init__.py": "",
        "models/x.py": "import os\n\ndef later():\n    from webui import app\n",
        "webui/__init__.py": "",
        "webui/app.py": "from models import x\n",
        "nlp/__init__.py": "",
        "nlp/text.py": "from .jobs import classify\n",  # a pure module reaching for the database jobs
        "nlp/jobs/__init__.py": "",
        "nlp/jobs/classify.py": "from ..text import normalize\nimport models.x\n",  # allowed, but a cycle
        "samplenet/__init__.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import crawler\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    found = breaches(tmp_path)

    assert "models/x.py:4: models.x imports webui.app; models may import only models" in found, found
    assert any(f.startswith("nlp/text.py:1: nlp.text imports nlp.jobs.classify;") for f in found), found
    assert any(f.startswith("samplenet/__init__.py:3: samplenet imports crawler;") for f in found), found
    cycles = [f for f in found if f.startswith("import cycle")]
    assert len(cycles) == 1, found  # models.x -> webui.app is inside a function: no cycle there
    assert "nlp/text.py:1 (nlp.text -> nlp.jobs.classify)" in cycles[0], cycles
    assert "nlp/jobs/classify.py:1 (nlp.jobs.classify -> nlp.text)" in cycles[0], cycles
    assert not any("webui/app.py" in f or "classify.py:2" in f for f in found), found
