"""The flag-rule registry: every rule, the lookup, severity by phase, and what must never fire."""

import pytest

from nlp.rules import (
    KIND_ID,
    LEGAL_BASIS,
    PHASE_BUMP,
    PHASE_ID,
    ROLE_ID,
    RULES,
    SEVERITIES,
    Act,
    UnknownRule,
    combine,
    decide,
    get_rule,
    legal_basis,
)


def act(**kw):
    values = dict(kind="like", person_role="asn", person_name="Ani", label="partisan", score=0.93,
                  author_is_campaign=False, author_handle="", phase="campaign", role="pns")
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
    assert set(ROLE_ID) == {r.group.value for r in PersonRole if r.is_monitored}
    assert set(ROLE_ID) == {"asn", "organizer", "village", "security"}
    assert {g.value for g in RoleGroup} >= set(ROLE_ID)
    # Every monitored role has its own legal basis; the contesting side has none.
    assert set(LEGAL_BASIS) == {r.value for r in PersonRole if r.is_monitored}
    assert all(legal_basis(r.value) for r in PersonRole if r.is_monitored)
    assert not any(legal_basis(r.value) for r in PersonRole if not r.is_monitored)
    assert set(KIND_ID) == {k.value for k in InteractionKind}
    assert {rule.base_severity for rule in RULES.values()} <= {s.value for s in Severity}
    for rule in RULES.values():
        for phase in Phase:
            Severity(rule.severity(phase.value))


def _explain(role: str, group: str, **kw) -> str:
    sample = act(role=role, person_role=group, **kw)
    return decide(sample).explain(sample)


def test_each_role_is_told_its_own_law():
    """Organizers are not bound by the ASN decree: each role's explanation cites the law that binds it."""
    pns = _explain("pns", "asn")
    assert "SKB Netralitas ASN 2022" in pns and "Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil" in pns
    pppk = _explain("pppk", "asn")
    assert "SKB Netralitas ASN 2022" in pppk and "94 Tahun 2021" not in pppk  # PP 94/2021 disciplines PNS only
    for role in ("kpu", "bawaslu", "ppk", "pps", "kpps", "panwascam", "pkd", "ptps"):
        text = _explain(role, "organizer")
        assert "Peraturan DKPP Nomor 2 Tahun 2017 tentang Kode Etik dan Pedoman Perilaku Penyelenggara Pemilu" in text
        assert "SKB" not in text and "ASN" not in text, role
    kades = _explain("kepala_desa", "village")
    assert "Nomor 6 Tahun 2014 tentang Desa, Pasal 29" in kades and "Nomor 10 Tahun 2016" in kades
    assert "(kepala desa)" in kades and "SKB" not in kades
    assert "Nomor 6 Tahun 2014 tentang Desa, Pasal 51" in _explain("perangkat_desa", "village")
    tni = _explain("tni", "security")
    assert "Nomor 34 Tahun 2004 tentang Tentara Nasional Indonesia, Pasal 39" in tni and "(anggota TNI)" in tni
    polri = _explain("polri", "security")
    assert "Nomor 2 Tahun 2002 tentang Kepolisian Negara Republik Indonesia, Pasal 28" in polri
    assert "SKB" not in tni + polri


def test_new_roles_are_monitored():
    from models.base import PersonRole, RoleGroup

    assert PersonRole.KEPALA_DESA.group is RoleGroup.VILLAGE and PersonRole.POLRI.group is RoleGroup.SECURITY
    for role in ("kepala_desa", "perangkat_desa", "tni", "polri"):
        assert PersonRole(role).is_monitored and len(role) <= 16  # Person.role is VARCHAR(16)
        assert decide(act(role=role, person_role=PersonRole(role).group.value)).code == "LIKE_PARTISAN"
    assert not PersonRole.CAMPAIGN.is_monitored


@pytest.mark.parametrize("phase", sorted(PHASE_ID))
def test_explanations_are_grammatical_in_every_phase(phase):
    text = _explain("pns", "asn", phase=phase)
    assert PHASE_ID[phase] in text
    assert "pada sebelum" not in text and "pada setelah" not in text and "pada pada" not in text
    assert "setelah pemungutan suara" in _explain("pns", "asn", phase="after")


def test_combine_keeps_the_most_specific_rule_and_lists_the_others():
    quote = act(kind="quote", score=0.8)
    own = act(kind="post", score=0.95)
    case = combine([(decide(own), own), (decide(quote), quote)], "campaign")
    assert case.rule.code == "QUOTE_PARTISAN"
    assert case.severity == "high"  # the weightiest reason: the person's own partisan text
    assert [r.code for r, _ in case.also] == ["POST_PARTISAN"]
    assert "Aturan lain yang juga terpenuhi oleh perbuatan yang sama: POST_PARTISAN" in case.explanation
    alone = combine([(decide(quote), quote)], "quiet")
    assert alone.rule.code == "QUOTE_PARTISAN" and alone.severity == "high" and not alone.also
    campaign = act(kind="reply", label="other", author_is_campaign=True, author_handle="calon01")
    assert combine([(decide(campaign), campaign), (decide(own), own)], None).rule.code == "POST_PARTISAN"
    with pytest.raises(ValueError):
        combine([], None)
