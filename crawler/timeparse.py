"""Crawl stage helper: read the platforms' timestamps (ISO 8601 of many shapes) as aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = re.compile(r"(\.\d{6})\d+")  # Python 3.11 reads at most microseconds; AT Protocol allows more


def parse_time(value: datetime | str) -> datetime:
    """Return an aware UTC datetime; naive input is taken as UTC. Raises ValueError/TypeError."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and 10 <= len(value) <= 40:
        when = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()))
    else:
        raise ValueError("not a timestamp")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
