"""Review stage, dashboard screen: counts by status, rule, institution and platform, and flags over time.

Aggregates over every flag are cached per process for NETRAL_COUNTS_CACHE_SECONDS: they change slowly
and a million-row GROUP BY should not run on every page view.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, render_template
from sqlalchemy import case, func, literal_column, select

from models import Flag, FlagStatus
from webui.chart import daily_chart
from webui.config import display_zone
from webui.database import db, engine
from webui.ttlcache import TTLCache

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
CHART_DAYS = 120
TOP = 15
_cache: TTLCache[dict] = TTLCache()


def _local_day(dialect: str):
    """The calendar day of a flag's event in the display zone, in each database's own date arithmetic.

    SQLite has no time zones: it shifts by the zone's current offset (exact for Indonesia's zones).
    """
    zone = display_zone()
    if dialect == "postgresql":
        return func.date(func.timezone(zone.name, Flag.event_at))
    return func.date(Flag.event_at, literal_column(f"'{zone.utc_offset_minutes():+d} minutes'"))


def _counts(column, limit: int | None = None) -> list[tuple[str, int]]:
    query = select(column, func.count()).group_by(column).order_by(func.count().desc())
    if limit:
        query = query.limit(limit)
    return [(getattr(k, "value", k) or "—", n) for k, n in db().execute(query)]


def _timeline() -> tuple[list[date], list[int], list[int]]:
    day = _local_day(engine().dialect.name).label("day")
    confirmed = func.sum(case((Flag.status == FlagStatus.CONFIRMED, 1), else_=0))
    rows = db().execute(select(day, func.count(), confirmed).where(Flag.event_at.is_not(None))
                        .group_by(day).order_by(day.desc()).limit(CHART_DAYS)).all()
    by_day = {(d if isinstance(d, date) else date.fromisoformat(str(d))): (n, int(c or 0)) for d, n, c in rows}
    if not by_day:
        return [], [], []
    first, last = min(by_day), max(by_day)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return days, [by_day.get(d, (0, 0))[0] for d in days], [by_day.get(d, (0, 0))[1] for d in days]


def _stats() -> dict:
    return _cache.get_or_compute(str(engine().url), current_app.config["NETRAL_COUNTS_CACHE_SECONDS"], _compute)


def _compute() -> dict:
    days, flagged, confirmed = _timeline()
    return {
        "status": _counts(Flag.status),
        "rule": _counts(Flag.rule_code, TOP),
        "institution": _counts(Flag.institution, TOP),
        "platform": _counts(Flag.platform),
        "chart": daily_chart(days, {"flagged": ("flagged", flagged), "confirmed": ("confirmed", confirmed)}),
        "first_day": days[0] if days else None,
        "last_day": days[-1] if days else None,
    }


@bp.get("/")
def index():
    return render_template("dashboard.html", s=_stats(), statuses=[s.value for s in FlagStatus])
