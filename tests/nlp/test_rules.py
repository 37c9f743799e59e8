"""The flag-rule registry: every rule, the lookup, severity by phase, and what must never fire."""

import pytest

from nlp.rules import KIND_ID, PHASE_BUMP, PHASE_ID, ROLE_ID, RULES, SEVERITIES, Act, UnknownRule, decide, get_rule


def act(**kw):
    values = dict(kind="like", person_role="asn", person_name="Ani", label="partisan", score=0.93,
                  author_is_campaign=False, author_handle="", phase="campaign")
    values.update(kw)
    return Act(**values)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_complete(code):
    rule = get_rule(code)
    assert rule.code == code and rule.act and rule.base_severity in SEVERITIES
    kinds = {"POST_PARTISAN": "post", "LIKE_PARTISAN": "like", "REPLY_PARTISAN": "reply",
             "REPOST_PARTISAN": "repost", "QUOTE_PARTISAN": "quote"}
    kind = kinds.get(code, "like")
    sample = act(kind=kind, label="other" if code == "INTERACT_CAMPAIGN_ACCOUNT" else "partisan",
                 author_is_campaign=code == "INTERACT_CAMPAIGN_ACCOUNT", author_handle="calon01")
    assert decide(sample) is rule
    text = rule.explain(sample)
    assert "SKB" in text and "Ani" in text and "masa kampanye" in text
    levels = [SEVERITIES.index(rule.severity(p)) for p in ("campaign", "quiet", "voting_day")]
    assert levels[0] <= levels[1] <= levels[2] and levels[2] > levels[0] or levels[0] == len(SEVERITIES) - 1
    assert set(PHASE_BUMP) == {"before", "campaign", "quiet", "voting_day", "after"}


def test_unknown_rule_raises():
    with pytest.raises(UnknownRule):
        get_rule("NOT_A_RULE")


def test_neutral_post_shared_by_asn_is_never_flagged():
    for label in ("election_info", "other"):
        for kind in ("like", "reply", "repost", "quote", "post"):
            assert decide(act(kind=kind, label=label)) is None


def test_campaign_account_neutral_post_has_its_own_rule():
    assert decide(act(label="election_info", author_is_campaign=True)).code == "INTERACT_CAMPAIGN_ACCOUNT"
    assert decide(act(label="partisan", author_is_campaign=True)).code == "LIKE_PARTISAN"


def test_only_monitored_roles_are_flagged():
    assert decide(act(person_role="candidate")) is None
    assert decide(act(person_role="organizer")).code == "LIKE_PARTISAN"


def test_severity_rises_in_quiet_period_and_voting_day():
    rule = get_rule("LIKE_PARTISAN")
    assert rule.severity("campaign") == "low"
    assert rule.severity("quiet") == "medium"
    assert rule.severity("voting_day") == "high"
    assert get_rule("POST_PARTISAN").severity("voting_day") == "critical"


def test_rule_tables_speak_the_store_enums_values():
    """nlp.rules may not import models, so its tables use the enums' values: pinned here to the enums."""
    from models.base import InteractionKind, PersonRole, Phase, RoleGroup, Severity

    assert SEVERITIES == tuple(s.value for s in Severity)  # the enum's order is the severity scale
    assert set(PHASE_BUMP) == set(PHASE_ID) == {p.value for p in Phase}
    assert set(ROLE_ID) == {r.group.value for r in PersonRole if r.is_monitored} == {"asn", "organizer"}
    assert {g.value for g in RoleGroup} >= set(ROLE_ID)
    assert set(KIND_ID) == {k.value for k in InteractionKind}
    assert {rule.base_severity for rule in RULES.values()} <= {s.value for s in Severity}
    for rule in RULES.values():
        for phase in Phase:
            Severity(rule.severity(phase.value))
