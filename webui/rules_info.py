"""Review stage: what a flag's rule code means, read from the NLP stage's rule registry (nlp.rules).

nlp.rules is pure (standard library only) and ships in the same distribution, so it is imported outright:
a broken registry fails loudly at import instead of showing the UI without rules. A flag whose code is not
in the registry (a rule removed since) simply has no act to show.
"""

from __future__ import annotations

from nlp.rules import RULES  # the NLP stage owns the rules; the UI only reads their descriptions


def rule_codes() -> list[str]:
    return sorted(RULES)


def rule_act(code: str) -> str | None:
    """The prohibited act a rule names, in the decree's (Indonesian) words, or None for an unknown code."""
    rule = RULES.get(code) or RULES.get(code.upper())
    return rule.act if rule else None
