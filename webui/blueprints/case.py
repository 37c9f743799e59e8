"""Review stage, case screen: the evidence for one flag, its history, and the reviewer's decision forms."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import Decision
from models.base import UserRole
from webui.access import DECIDERS, require_role
from webui.database import db, engine
from webui.limits import LimitError, check_note
from webui.review import queue as q
from webui.review.case_data import load_case
from webui.review.messages import conflict_message, policy
from webui.review.service import (
    SECOND_OPINION,
    ReviewConflict,
    claim,
    claim_active,
    correct,
    current_votes,
    decide,
    participants,
    release,
)
from webui.rules_info import legal_basis, other_rules

bp = Blueprint("case", __name__, url_prefix="/case")

# Refusals of this screen's own actions (corrections, the two-person rule), beside the shared ones.
CASE_CONFLICTS = {
    "took_part": _l("You voted on or escalated this case; under the two-person rule another administrator settles it."),
    "not_decided": _l("Only a decided case can be reopened or retracted."),
    "link_rejected": _l("The account link this case rested on is rejected; confirm the link before reopening."),
    "admin_only_correct": _l("Only an administrator can reopen or retract a case."),
    "note_required": _l("A note is required: why you confirm, dismiss, escalate, reopen or retract."),
}


def _message(code: str) -> str:
    return str(CASE_CONFLICTS[code]) if code in CASE_CONFLICTS else conflict_message(code)


@bp.get("/<int:flag_id>")
def show(flag_id: int):
    case = load_case(db(), flag_id)
    if case is None:
        abort(404)
    pol = policy()
    # The history is loaded already: derive the freshness token and the votes from it instead of querying.
    seen = case.reviews[-1].id if case.reviews else 0
    history = [(r.reviewer_id, r.decision) for r in case.reviews]
    votes = current_votes(history)
    confirmers = sum(1 for d in votes.values() if d is Decision.CONFIRM)
    took_part = pol.two_person and g.user.id in participants(history)
    basis = legal_basis(case.person.role.value) if case.person is not None else ()
    return render_template("case.html", case=case, pol=pol, seen=seen, claimed=claim_active(case.flag, pol),
                           my_vote=votes.get(g.user.id) if pol.two_person else None, took_part=took_part,
                           confirmers=confirmers, legal_basis=basis, other_rules=other_rules(case.flag.reasons),
                           second_opinion=pol.two_person and case.flag.severity in SECOND_OPINION,
                           can_correct=g.user.role is UserRole.ADMIN)


def _seen() -> int | None:
    value = request.form.get("seen", "")
    return int(value) if value.isdigit() else None


def _act(flag_id: int, action) -> object:
    try:
        action()
    except ReviewConflict as exc:
        if str(exc) == "not_found":
            abort(404)
        flash(_message(str(exc)), "error")
    except LimitError as exc:
        flash(str(exc), "error")
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
        decide(engine(), flag_id, g.user, decision, check_note(request.form.get("note")), policy(), _seen())
        flash(_("Decision recorded."), "ok")

    return _act(flag_id, action)


@bp.post("/<int:flag_id>/correct")
@require_role(UserRole.ADMIN)
def correct_flag(flag_id: int):
    """Reopen or retract a decided case: a new decision with a note; the earlier one stays in the history."""
    try:
        decision = Decision(request.form.get("decision", ""))
    except ValueError:
        abort(400)

    def action():
        correct(engine(), flag_id, g.user, decision, check_note(request.form.get("note")), _seen())
        flash(_("Correction recorded."), "ok")

    return _act(flag_id, action)
