"""Review stage, exports: compliance summaries (CSV, XLSX, PDF) and per-case evidence reports (PDF).

FORMATS is the registry of summary writers; `writer(name)` raises on an unknown format. Like all of webui,
they may import `models`, `crawler`, `nlp` and `scheduler` (they need only `models`).
"""

from __future__ import annotations

FORMATS = {
    "csv": ("webui.exports.tabular", "write_csv", "text/csv; charset=utf-8"),
    "xlsx": ("webui.exports.tabular", "write_xlsx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": ("webui.exports.summary_pdf", "write_pdf", "application/pdf"),
}


def writer(name: str):
    """Return (function, mimetype) for a summary format; KeyError names the known formats."""
    if name not in FORMATS:
        raise KeyError(f"unknown export format {name!r}; known: {', '.join(sorted(FORMATS))}")
    import importlib

    module, func, mimetype = FORMATS[name]
    return getattr(importlib.import_module(module), func), mimetype
