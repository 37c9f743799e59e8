"""Review stage: the queue's filters and its keyset pagination (never OFFSET: deep pages cost the same).

The sort key is (score, id) or (event_at, id), both descending, served by the flag indexes
(status, score, id) and (status, event_at, id). A page's cursor is the last row's key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

from sqlalchemy import Engine, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from models import Account, Flag, FlagStatus, Person, Platform, Severity, User
from webui.config import display_zone
from webui.limits import MAX_ID
from webui.ttlcache import TTLCache

SORTS = ("score", "time")


@dataclass
class QueueFilter:
    """What the reviewer asked for; invalid values are dropped (and reported) rather than raising."""

    status: str = FlagStatus.NEW.value
    rule: str = ""
    severity: str = ""
    platform: str = ""
    institution: str = ""
    province: str = ""
    regency: str = ""
    date_from: str = ""
    date_to: str = ""
    score_min: str = ""
    score_max: str = ""
    sort: str = "score"
    mine: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> QueueFilter:
        f = cls(**{k.name: (args.get(k.name) or "").strip()[:255] for k in fields(cls)
                   if k.name != "errors" and args.get(k.name)})
        f._validate()
        return f

    def _validate(self) -> None:
        """Replace each unreadable value by its default and name it in `errors`."""
        for name, valid in _CHECKS.items():
            value = getattr(self, name)
            if value and not valid(value):
                self.errors.append(name)
                setattr(self, name, _DEFAULTS.get(name, ""))

    def args(self, **changes) -> dict:
        """The filter as query arguments (for links), without empty values."""
        values = {k.name: getattr(self, k.name) for k in fields(self) if k.name != "errors"}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


# Filter dates and cursor keys outside these bounds are refused: a day's bounds in UTC must stay within
# what Python and the databases can hold (date.max + 1 day overflows), and ids within BIGINT.
MIN_DAY, MAX_DAY = date(1900, 1, 1), date(9000, 12, 31)


def _parse_date(value: str) -> date | None:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if MIN_DAY <= day <= MAX_DAY else None


def _parse_float(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _parse_id(value: str) -> int:
    """An id from a cursor: ValueError unless plain ASCII digits within BIGINT."""
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise ValueError(value)
    return int(value)


def _one_of(values) -> callable:
    allowed = {getattr(v, "value", v) for v in values}
    return allowed.__contains__


# Per field: is a (non-empty) value usable? Fields with a default fall back to it, the others to "".
_CHECKS = {
    "status": _one_of(FlagStatus), "severity": _one_of(Severity), "platform": _one_of(Platform),
    "sort": _one_of(SORTS),
    "date_from": lambda v: _parse_date(v) is not None, "date_to": lambda v: _parse_date(v) is not None,
    "score_min": lambda v: _parse_float(v) is not None, "score_max": lambda v: _parse_float(v) is not None,
}
_DEFAULTS = {"status": FlagStatus.NEW.value, "sort": "score"}


def _readable(value: str, parse):
    """The parsed value, or ValueError naming it (a filter built without from_args, e.g. an export's)."""
    parsed = parse(value)
    if parsed is None:
        raise ValueError(f"unreadable or out of range: {value!r} (dates {MIN_DAY} to {MAX_DAY})")
    return parsed


def local_day_start(day: date) -> datetime:
    """The instant a calendar day begins in the display zone (NETRAL_TIMEZONE): the reviewer's dates are local."""
    return datetime.combine(day, dtime.min, tzinfo=display_zone().tz)


def conditions(f: QueueFilter, user: User | None = None) -> list:
    """SQL conditions for a filter (shared by the queue, the dashboard and the exports)."""
    cond = [Flag.status == FlagStatus(f.status)] if f.status else []
    if f.rule:
        cond.append(Flag.rule_code == f.rule)
    if f.severity:
        cond.append(Flag.severity == Severity(f.severity))
    if f.platform:
        cond.append(Flag.platform == Platform(f.platform))
    if f.institution:
        cond.append(Flag.institution == f.institution)
    if f.province:
        cond.append(Flag.region_province == f.province)
    if f.regency:
        cond.append(Flag.region_regency == f.regency)
    # An act of unknown time (event_at NULL) is in a period when its bounds overlap it: it may have happened
    # then. A missing bound is open-ended.
    unknown = Flag.event_at.is_(None)
    if f.date_from:
        start = local_day_start(_readable(f.date_from, _parse_date))
        cond.append(or_(Flag.event_at >= start,
                        and_(unknown, or_(Flag.event_latest.is_(None), Flag.event_latest >= start))))
    if f.date_to:
        end = local_day_start(_readable(f.date_to, _parse_date) + timedelta(days=1))
        cond.append(or_(Flag.event_at < end,
                        and_(unknown, or_(Flag.event_earliest.is_(None), Flag.event_earliest < end))))
    if f.score_min:
        cond.append(Flag.score >= _readable(f.score_min, _parse_float))
    if f.score_max:
        cond.append(Flag.score <= _readable(f.score_max, _parse_float))
    if f.mine and user is not None:
        cond.append(Flag.assignee_id == user.id)
    return cond


def encode_cursor(row, sort: str) -> str:
    if sort == "time":
        return f"t{row.event_at.astimezone(UTC).isoformat()}_{row.id}"
    return f"s{row.score!r}_{row.id}"


def decode_cursor(cursor: str, sort: str):
    """Return (key, id) from a cursor, or None when it is malformed or from the other sort."""
    try:
        kind, rest = cursor[0], cursor[1:]
        key, ident = rest.rsplit("_", 1)
        if kind == "t" and sort == "time":
            moment = datetime.fromisoformat(key)
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
            if not MIN_DAY <= moment.date() <= MAX_DAY:
                return None
            return moment, _parse_id(ident)
        if kind == "s" and sort == "score":
            score = _parse_float(key)
            return (score, _parse_id(ident)) if score is not None else None
    except (ValueError, IndexError, OverflowError):
        pass
    return None


def page(session: Session, f: QueueFilter, size: int, after: str = "", user: User | None = None):
    """Return (rows, next_cursor) for one page of the queue."""
    key = Flag.event_at if f.sort == "time" else Flag.score
    cond = conditions(f, user)
    if f.sort == "time":
        cond.append(Flag.event_at.is_not(None))  # a row without a time has no place in a time order
    cursor = decode_cursor(after, f.sort) if after else None
    if cursor is not None:
        cond.append(tuple_(key, Flag.id) < tuple_(*cursor))
    # Pick the page's flags first, then join names for those rows only: joining before the LIMIT made
    # the planner join every matching flag when a filter forced a sort.
    inner = (
        select(Flag.id, Flag.score, Flag.event_at, Flag.rule_code, Flag.severity, Flag.status, Flag.platform,
               Flag.institution, Flag.region_province, Flag.region_regency, Flag.assignee_id, Flag.claimed_at,
               Flag.person_id, Flag.account_id)
        .where(*cond)
        .order_by(key.desc(), Flag.id.desc())
        .limit(size + 1)
        .subquery()
    )
    query = (
        select(inner, Person.name.label("person_name"), Account.handle.label("handle"),
               User.username.label("assignee"))
        .outerjoin(Person, Person.id == inner.c.person_id)
        .join(Account, Account.id == inner.c.account_id)
        .outerjoin(User, User.id == inner.c.assignee_id)
        .order_by(inner.c[key.key].desc(), inner.c.id.desc())
    )
    rows = session.execute(query).all()
    next_cursor = encode_cursor(rows[size - 1], f.sort) if len(rows) > size else None
    return rows[:size], next_cursor


_counts_cache: TTLCache[dict[str, int]] = TTLCache()


def status_counts(engine: Engine, session: Session, ttl: int) -> dict[str, int]:
    """Flags per status, cached for `ttl` seconds: a full count of a million rows would dominate every page."""

    def count() -> dict[str, int]:
        counts = {s.value: 0 for s in FlagStatus}
        for status, n in session.execute(select(Flag.status, func.count()).group_by(Flag.status)):
            counts[status.value] = n
        return counts

    return _counts_cache.get_or_compute(str(engine.url), ttl, count)


def clear_counts() -> None:
    _counts_cache.clear()
