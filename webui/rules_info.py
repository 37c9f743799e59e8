"""Review stage: what a flag's rule code means and which law binds the person, read from nlp.rules.

nlp.rules is pure (standard library only) and ships in the same distribution, so it is imported outright:
a broken registry fails loudly at import instead of showing the UI without rules. A flag whose code is not
in the registry (a rule removed since) simply has no act to show.
"""

from __future__ import annotations

from nlp.rules import RULES  # the NLP stage owns the rules; the UI only reads their descriptions
from nlp.rules import legal_basis as _legal_basis


def rule_codes() -> list[str]:
    return sorted(RULES)


def rule_act(code: str) -> str | None:
    """The prohibited act a rule names, in the decree's (Indonesian) words, or None for an unknown code."""
    rule = RULES.get(code) or RULES.get(code.upper())
    return rule.act if rule else None


def legal_basis(role: str) -> tuple[str, ...]:
    """The laws that bind a monitored role (a PersonRole value), most specific first; () for others."""
    return _legal_basis(role)


def other_rules(reasons) -> list[tuple[str, str]]:
    """The other rules that fired for the same act (one act is one case), as (code, act), from a flag's reasons."""
    out = []
    for item in reasons if isinstance(reasons, list) else []:
        if isinstance(item, dict) and isinstance(item.get("rule"), str):
            out.append((item["rule"], rule_act(item["rule"]) or ""))
    return out
