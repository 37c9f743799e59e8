"""Review stage: what a flag's rule code means, from the NLP stage's rule registry when it is installed."""

from __future__ import annotations

import functools


@functools.cache
def _registry() -> dict:
    try:
        from nlp.rules import RULES  # the NLP stage owns the rules; the UI only reads their descriptions

        return RULES
    except Exception:
        return {}


def rule_codes() -> list[str]:
    return sorted(_registry())


def rule_act(code: str) -> str | None:
    """The prohibited act a rule names, in the decree's (Indonesian) words, or None for an unknown code."""
    rule = _registry().get(code) or _registry().get(code.upper())
    return getattr(rule, "act", None)
