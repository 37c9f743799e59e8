"""Review stage: translated names of stored values (statuses, decisions, severities, interaction kinds).

Resolved once per locale and cached: calling gettext inside a macro for each of fifty queue rows cost
more than the database query (measured: ~500 calls, half the page's time).
"""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

LABELS = {
    "status": {"new": _l("new"), "in_review": _l("in review"), "confirmed": _l("confirmed"),
               "dismissed": _l("dismissed"), "escalated": _l("escalated")},
    "decision": {"claim": _l("claimed"), "release": _l("released"), "confirm": _l("confirmed"),
                 "dismiss": _l("dismissed"), "escalate": _l("escalated")},
    "severity": {"low": _l("low"), "medium": _l("medium"), "high": _l("high"), "critical": _l("critical")},
    "kind": {"like": _l("like"), "reply": _l("reply"), "repost": _l("repost"), "quote": _l("quote")},
}
_resolved: dict[str, dict[str, dict[str, str]]] = {}


def labels() -> dict[str, dict[str, str]]:
    """The label tables in the current user's language."""
    locale = str(get_locale() or "id")
    if locale not in _resolved:
        _resolved[locale] = {group: {k: str(v) for k, v in names.items()} for group, names in LABELS.items()}
    return _resolved[locale]
