"""Review stage, queue screen: filtered, keyset-paginated flags with counts per status, and claiming."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Flag, FlagStatus, Platform, Severity
from webui.access import DECIDERS, require_role
from webui.database import db, engine
from webui.review import queue as q
from webui.review.messages import conflict_message, policy
from webui.review.service import ReviewConflict, claim, claim_active
from webui.rules_info import rule_codes

bp = Blueprint("queue", __name__, url_prefix="/queue")


@bp.get("/")
def index():
    f = q.QueueFilter.from_args(request.args)
    cfg = current_app.config
    rows, next_cursor = q.page(db(), f, cfg["NETRAL_QUEUE_PAGE_SIZE"], request.args.get("after", ""), g.user)
    counts = q.status_counts(engine(), db(), cfg["NETRAL_COUNTS_CACHE_SECONDS"])
    return render_template(
        "queue.html", f=f, rows=rows, next_cursor=next_cursor, counts=counts, statuses=list(FlagStatus),
        severities=list(Severity), platforms=list(Platform), rules=_rules(),
        first_page=not request.args.get("after"), pol=policy(), claim_active=claim_active,
    )


def _rules() -> list[str]:
    """Rule codes for the filter: the NLP registry when it is importable, else the codes in use."""
    codes = rule_codes()
    if codes:
        return codes
    cached = current_app.extensions.get("netral_rule_codes")
    if cached is None:
        cached = sorted(db().scalars(select(Flag.rule_code).distinct().limit(200)))
        current_app.extensions["netral_rule_codes"] = cached
    return cached


@bp.post("/<int:flag_id>/claim")
@require_role(*DECIDERS)
def claim_flag(flag_id: int):
    try:
        claim(engine(), flag_id, g.user, policy())
    except ReviewConflict as exc:
        if str(exc) == "not_found":
            abort(404)
        flash(conflict_message(str(exc)), "error")
        return redirect(url_for("queue.index"))
    q.clear_counts()
    return redirect(url_for("case.show", flag_id=flag_id))
