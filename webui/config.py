"""Review stage: the web application's settings, read from NETRAL_* environment variables.

Tests pass a dict to create_app() that overrides any of these after the environment is read.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from models.session import database_url, instance_secret
from webui.limits import MAX_REQUEST_BYTES

TRUE = {"1", "true", "yes", "on"}
DEFAULT_TIMEZONE = "Asia/Jakarta"
# Indonesia's zones go by their Indonesian names (and have kept one offset since 1964/1988, which is
# the fallback where the host has no tz database); any other zone shows its own abbreviation.
_INDONESIA = {"Asia/Jakarta": ("WIB", 7), "Asia/Makassar": ("WITA", 8), "Asia/Jayapura": ("WIT", 9)}


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None or value == "" else value.strip().lower() in TRUE


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _secret_key() -> str:
    """NETRAL_SECRET_KEY, else a random key kept in the instance folder.

    A per-process random key would log users out whenever a different gunicorn worker answered, so the
    fallback is generated once and stored (mode 0600) beside the SQLite file.
    """
    key = os.environ.get("NETRAL_SECRET_KEY")
    if key:
        return key
    return instance_secret("secret_key")


@dataclass(frozen=True)
class DisplayZone:
    """The time zone every time is shown in, and the dates of filters and charts are read in."""

    name: str
    tz: tzinfo
    fixed_label: str | None = None  # WIB, WITA, WIT

    def label(self, moment: datetime | None = None) -> str:
        """The zone's short name, e.g. WIB; for other zones the abbreviation in force at `moment` (default now)."""
        if self.fixed_label:
            return self.fixed_label
        return (moment or datetime.now(self.tz)).astimezone(self.tz).tzname() or self.name

    def column_suffix(self) -> str:
        """The label as a column-name suffix, e.g. 'wib' in 'waktu_wib'."""
        return re.sub(r"[^a-z0-9]+", "", self.label().lower()) or "lokal"

    def utc_offset_minutes(self) -> int:
        """The current offset from UTC (exact for Indonesia's zones, which have no daylight saving)."""
        return int(datetime.now(self.tz).utcoffset().total_seconds() // 60)


@functools.cache
def display_zone() -> DisplayZone:
    """NETRAL_TIMEZONE (an IANA name, default Asia/Jakarta), read once per process.

    Used by the time formatting, the queue's and exports' date bounds, the dashboard's days and Babel.
    """
    name = (os.environ.get("NETRAL_TIMEZONE") or DEFAULT_TIMEZONE).strip()
    label, hours = _INDONESIA.get(name, (None, None))
    try:
        tz: tzinfo = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if hours is None:
            problem = f"NETRAL_TIMEZONE: unknown time zone {name!r} (an IANA name, e.g. Asia/Makassar)"
            raise ValueError(problem) from None
        tz = timezone(timedelta(hours=hours), label)  # no tz database on the host
    return DisplayZone(name, tz, label)


def load_config() -> dict:
    """Return the Flask config for this process's environment."""
    secure = _flag("NETRAL_SECURE_COOKIES")
    return {
        "SECRET_KEY": _secret_key(),
        "DATABASE_URL": database_url(),
        "SESSION_COOKIE_NAME": "netral_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "PERMANENT_SESSION_LIFETIME": _int("NETRAL_SESSION_HOURS", 8) * 3600,
        # An absolute lifetime from login (not sliding), and no re-signed cookie on every response.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": display_zone().name,
        "NETRAL_TIMEZONE": display_zone().name,
        "NETRAL_TWO_PERSON_RULE": _flag("NETRAL_TWO_PERSON_RULE"),
        "NETRAL_CLAIM_MINUTES": _int("NETRAL_CLAIM_MINUTES", 60),
        "NETRAL_LOGIN_MAX_ATTEMPTS": _int("NETRAL_LOGIN_MAX_ATTEMPTS", 5),
        "NETRAL_LOGIN_WINDOW_SECONDS": _int("NETRAL_LOGIN_WINDOW_SECONDS", 300),
        "NETRAL_LOGIN_MAX_PER_ADDRESS": _int("NETRAL_LOGIN_MAX_PER_ADDRESS", 50),
        # How many proxies in front set X-Forwarded-For/-Proto (the documented TLS proxy: 1). 0 trusts none:
        # a client could otherwise claim any address and escape the login limit.
        "NETRAL_PROXY_HOPS": _int("NETRAL_PROXY_HOPS", 0),
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "MAX_FORM_MEMORY_SIZE": MAX_REQUEST_BYTES,
        "REDIS_URL": os.environ.get("REDIS_URL") or None,  # shared login limits across workers
        "NETRAL_QUEUE_PAGE_SIZE": _int("NETRAL_QUEUE_PAGE_SIZE", 25),
        "NETRAL_COUNTS_CACHE_SECONDS": _int("NETRAL_COUNTS_CACHE_SECONDS", 15),
        "NETRAL_PDF_MAX_CASES": _int("NETRAL_PDF_MAX_CASES", 2000),
    }
