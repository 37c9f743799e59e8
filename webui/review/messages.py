"""Review stage: what a reviewer is told when an action is refused, in their language."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from webui.review.service import Policy

CONFLICTS = {
    "not_found": _l("No such flag."),
    "stale": _l("Someone acted on this case while you were reading it. Check the history and try again."),
    "closed": _l("This case is already decided."),
    "claimed_by_other": _l("Another reviewer has claimed this case."),
    "already_voted": _l("You already decided on this case; the two-person rule needs a different reviewer."),
    "not_yours": _l("You do not hold the claim on this case."),
    "note_required": _l("A note (for a confirmation) or a reason (for a dismissal) is required."),
    "admin_only": _l("Only an administrator can settle an escalated case."),
    "forbidden": _l("Your role cannot decide on cases."),
    "bad_decision": _l("Unknown decision."),
}


def conflict_message(code: str) -> str:
    return str(CONFLICTS.get(code, code))


def policy() -> Policy:
    cfg = current_app.config
    return Policy(two_person=bool(cfg["NETRAL_TWO_PERSON_RULE"]), claim_minutes=int(cfg["NETRAL_CLAIM_MINUTES"]))
