"""Review stage, queue screen: filtered, keyset-paginated flags with counts per status, and claiming."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from models import Decision, FlagStatus, Platform, Review, Severity
from webui.access import DECIDERS, require_role
from webui.database import db, engine
from webui.review import queue as q
from webui.review.messages import conflict_message, policy
from webui.review.service import OPEN, VOTES, ReviewConflict, claim, claim_active, participants
from webui.rules_info import rule_codes

bp = Blueprint("queue", __name__, url_prefix="/queue")


@bp.get("/")
def index():
    f = q.QueueFilter.from_args(request.args)
    cfg = current_app.config
    rows, next_cursor = q.page(db(), f, cfg["NETRAL_QUEUE_PAGE_SIZE"], request.args.get("after", ""), g.user)
    counts = q.status_counts(engine(), db(), cfg["NETRAL_COUNTS_CACHE_SECONDS"])
    pol = policy()
    bad_cursor = bool(request.args.get("after")) and q.decode_cursor(request.args["after"], f.sort) is None
    if bad_cursor:
        f.errors.append("after")
    page_html = render_template(
        "queue.html", f=f, rows=rows, next_cursor=next_cursor, counts=counts, statuses=list(FlagStatus),
        severities=list(Severity), platforms=list(Platform), rules=_rules(),
        first_page=not request.args.get("after"), pol=pol, claim_active=claim_active,
        took_part=_took_part([r.id for r in rows if r.status in OPEN]) if pol.two_person else set(),
    )
    # The page still shows (the bad values replaced by their defaults and named), but a client learns it
    # asked for something unreadable.
    return page_html, 400 if f.errors else 200


def _took_part(flag_ids: list[int]) -> set[int]:
    """The open flags on this page the user voted on or escalated (the two-person rule refuses their claim)."""
    if not flag_ids or g.user is None:
        return set()
    rows = db().execute(
        select(Review.flag_id, Review.reviewer_id, Review.decision)
        .where(Review.flag_id.in_(flag_ids), Review.decision.in_([*VOTES, Decision.ESCALATE, Decision.REOPEN]))
        .order_by(Review.id)
    ).all()
    by_flag: dict[int, list] = {}
    for flag_id, reviewer, decision in rows:
        by_flag.setdefault(flag_id, []).append((reviewer, decision))
    return {fid for fid, history in by_flag.items() if g.user.id in participants(history)}


def _rules() -> list[str]:
    """Rule codes for the filter, from the NLP rule registry."""
    return rule_codes()


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
