"""Review stage: assemble the Flask application from config, extensions and one blueprint per screen."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webui import blueprints, database, formatting, i18n, security
from webui.config import load_config


def build(overrides: dict | None = None) -> Flask:
    """Return a configured application (see webui.create_app)."""
    app = Flask(__name__)
    app.config.update(load_config())
    app.config.update(overrides or {})
    database.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    blueprints.register_all(app)
    hops = int(app.config.get("NETRAL_PROXY_HOPS") or 0)
    if hops > 0:
        # Behind the TLS proxy: the client address and scheme come from the last `hops` proxies' headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app
