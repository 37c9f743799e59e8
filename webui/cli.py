"""CLI for the review UI: `netral serve`, Flask's server for local use.

Production runs the same app under gunicorn: gunicorn -w 4 -b 0.0.0.0:8000 'webui:create_app()'
"""

from __future__ import annotations

import click

from webui.cli.common import open_engine


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Reload on code changes and show tracebacks (never in production).")
def serve(host: str, port: int, debug: bool) -> None:
    """Run the review UI locally (for production use gunicorn 'webui:create_app()')."""
    open_engine()  # refuse an unmigrated database before serving anything
    from webui import create_app

    create_app().run(host=host, port=port, debug=debug)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
