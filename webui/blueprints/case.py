"""Review stage, case screen: the evidence for one flag, its history, and the reviewer's decision forms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from models import Decision
from webui.access import DECIDERS, require_role
from webui.database import db, engine
from webui.review import queue as q
from webui.review.case_data import load_case
from webui.review.messages import conflict_message, policy
from webui.review.service import ReviewConflict, claim, claim_active, decide, release

bp = Blueprint("case", __name__, url_prefix="/case")


@bp.get("/<int:flag_id>")
def show(flag_id: int):
    case = load_case(db(), flag_id)
    if case is None:
        abort(404)
    pol = policy()
    # The history is loaded already: derive the freshness token from it instead of querying again.
    seen = case.reviews[-1].id if case.reviews else 0
    return render_template("case.html", case=case, pol=pol, seen=seen, claimed=claim_active(case.flag, pol))


def _seen() -> int | None:
    value = request.form.get("seen", "")
    return int(value) if value.isdigit() else None


def _act(flag_id: int, action) -> object:
    try:
        action()
    except ReviewConflict as exc:
        if str(exc) == "not_found":
            abort(404)
        flash(conflict_message(str(exc)), "error")
    q.clear_counts()
    return redirect(url_for("case.show", flag_id=flag_id))


@bp.post("/<int:flag_id>/claim")
@require_role(*DECIDERS)
def claim_flag(flag_id: int):
    return _act(flag_id, lambda: claim(engine(), flag_id, g.user, policy(), _seen()))


@bp.post("/<int:flag_id>/release")
@require_role(*DECIDERS)
def release_flag(flag_id: int):
    return _act(flag_id, lambda: release(engine(), flag_id, g.user, policy()))


@bp.post("/<int:flag_id>/decide")
@require_role(*DECIDERS)
def decide_flag(flag_id: int):
    try:
        decision = Decision(request.form.get("decision", ""))
    except ValueError:
        abort(400)

    def action():
        decide(engine(), flag_id, g.user, decision, request.form.get("note", ""), policy(), _seen())
        flash(_("Decision recorded."), "ok")

    return _act(flag_id, action)
