"""Review stage: the Flask application (create_app), its screens and exports, and the review UI's commands.

Importing `webui` stays cheap: Flask and the blueprints load only when create_app() runs, so the CLI
starts fast. Production: `gunicorn 'webui:create_app()'`. It may import `models`, `crawler`, `nlp` and
`scheduler` (the jobs screen); only netral imports it.
"""

from __future__ import annotations


def create_app(overrides: dict | None = None):
    """Build the application: config from NETRAL_* variables, then `overrides` (tests), then blueprints."""
    from webui.app import build

    return build(overrides)
