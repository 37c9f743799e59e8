"""Review stage: assemble the Flask application from config, extensions and one blueprint per screen."""

from __future__ import annotations

import logging

from flask import Flask, g
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from webui import blueprints, database, formatting, i18n, security
from webui.config import load_config
from webui.limits import MAX_ID, MAX_REQUEST_BYTES

log = logging.getLogger(__name__)


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to 2**63-1 (ids above BIGINT's range match no route)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def build(overrides: dict | None = None) -> Flask:
    """Return a configured application (see webui.create_app)."""
    app = Flask(__name__)
    app.config.update(load_config())
    app.config.update(overrides or {})
    app.url_map.converters["int"] = IdConverter  # before any route is added
    database.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    blueprints.register_all(app)
    _error_handlers(app)
    hops = int(app.config.get("NETRAL_PROXY_HOPS") or 0)
    if hops > 0:
        # Behind the TLS proxy: the client address and scheme come from the last `hops` proxies' headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def _error_handlers(app: Flask) -> None:
    """A parameter out of every range is the client's mistake: 400 with a message, never a 500. The screens
    validate what they read; these are the net under them (a number or date beyond what Python or the
    database can hold)."""

    def out_of_range(exc: Exception):
        log.info("request refused, a value is out of range: %s", exc)
        session = g.get("db")
        if session is not None:
            session.rollback()  # a failed statement leaves PostgreSQL's transaction unusable
        return _plain(BadRequest.code, _("A value in the request is out of range (a number or date too large "
                                         "or too small)."))

    app.register_error_handler(OverflowError, out_of_range)
    app.register_error_handler(DataError, out_of_range)
    app.register_error_handler(RequestEntityTooLarge, lambda exc: _plain(
        RequestEntityTooLarge.code, _("The request is too large: at most %(n)s MB.", n=MAX_REQUEST_BYTES // 2**20)))


def _plain(code: int, message: str):
    return message, code, {"Content-Type": "text/plain; charset=utf-8"}
