"""Review stage: the interface language (Indonesian by default, English per user).

Babel's time zone is BABEL_DEFAULT_TIMEZONE, set from NETRAL_TIMEZONE by webui.config.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import Babel

LOCALES = ("id", "en")


def _locale() -> str:
    user = g.get("user")
    if user is not None and user.locale in LOCALES:
        return user.locale
    return "id"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_locale)
