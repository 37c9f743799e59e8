"""NLP stage: the flag rules, one per prohibited act, and the law that binds each monitored role.

A registry (plain dict) of rule codes; `get_rule` raises on an unknown code. `decide()` is pure:
given what is known about one act (who, what kind, the post's label and author), it returns the
rule that fires, or None. One act is one case: when several rules fire for one act (a quote whose own
text is partisan too), `combine()` keeps the most specific and lists the others. The database job that
feeds it lives in nlp.jobs.flag.

The acts are worded after the 2022 joint decree (SKB) on ASN neutrality; what makes them prohibited
depends on who acted, so each explanation cites the legal basis of the person's role (LEGAL_BASIS):
the SKB binds civil servants only, not election organizers, village officials, TNI or Polri.

Vocabulary: phases, roles, role groups, severities, interaction kinds and labels are defined once, as the
enums of models.base (Phase, PersonRole, RoleGroup, Severity, InteractionKind, Label). This module is pure
and must not import models, so it speaks their stored `.value`s (the strings the database and the CSVs
hold): the job passes `.value`s in (Act) and turns what comes out back into enums
(`Severity(rule.severity(...))`). The tables below are keyed by those values; tests/nlp/test_rules.py pins
them to the enums, so a member added or renamed there fails the tests instead of silently getting no
severity bump, explanation or legal basis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

SEVERITIES = ("low", "medium", "high", "critical")  # models.base.Severity values, in rising order
# Keyed by models.base.Phase values. The quiet period and voting day make the same act weigh more
# (SKB; UU 10/2016 on campaign timing).
PHASE_BUMP = {"before": 0, "campaign": 0, "after": 0, "quiet": 1, "voting_day": 2}
# When the act happened, as an adverbial phrase (with its own preposition: "setelah pemungutan suara").
PHASE_ID = {"before": "sebelum masa kampanye", "campaign": "pada masa kampanye", "quiet": "pada masa tenang",
            "voting_day": "pada hari pemungutan suara", "after": "setelah pemungutan suara"}
# A phase named as a noun, for "the lightest phase in that range: masa tenang".
PHASE_NOUN = {"before": "sebelum masa kampanye", "campaign": "masa kampanye", "quiet": "masa tenang",
              "voting_day": "hari pemungutan suara", "after": "setelah pemungutan suara"}
# The order phases come in, to list the phases a range of unknown time overlaps.
PHASE_ORDER = ("before", "campaign", "quiet", "voting_day", "after")
# The monitored models.base.RoleGroup values.
ROLE_ID = {"asn": "ASN", "organizer": "penyelenggara pemilu", "village": "aparat desa",
           "security": "anggota TNI/Polri"}
# models.base.InteractionKind values (a post is an act, not an interaction).
KIND_ID = {"like": "menyukai", "reply": "mengomentari", "repost": "membagikan ulang",
           "quote": "mengutip dan membagikan"}

SKB_ASN_2022 = ("Keputusan Bersama Menteri PANRB, Menteri Dalam Negeri, Kepala BKN, Ketua KASN, dan Ketua "
                "Bawaslu Tahun 2022 tentang Pedoman Pembinaan dan Pengawasan Netralitas Pegawai Aparatur Sipil "
                "Negara dalam Penyelenggaraan Pemilihan Umum dan Pemilihan (SKB Netralitas ASN 2022)")
PP_94_2021 = "Peraturan Pemerintah Nomor 94 Tahun 2021 tentang Disiplin Pegawai Negeri Sipil"
DKPP_2_2017 = ("Peraturan DKPP Nomor 2 Tahun 2017 tentang Kode Etik dan Pedoman Perilaku Penyelenggara Pemilu")
UU_DESA = "Undang-Undang Nomor 6 Tahun 2014 tentang Desa"
UU_PILKADA = "Undang-Undang Nomor 10 Tahun 2016 (Pilkada), Pasal 70 dan Pasal 71, untuk Pilkada"


@dataclass(frozen=True)
class Role:
    """A monitored role as the rules speak of it: its Indonesian name and the law that binds it."""

    name: str  # as in "Ani (ASN)"
    legal_basis: tuple[str, ...]  # most specific first


# Keyed by models.base.PersonRole values: every monitored role, none of the contesting side.
ORGANIZER_BASIS = (DKPP_2_2017,)
LEGAL_BASIS: dict[str, Role] = {
    "pns": Role("ASN", (SKB_ASN_2022, PP_94_2021)),
    # PP 94/2021 disciplines PNS; PPPK are ASN too and bound by the SKB, but not by that regulation.
    "pppk": Role("ASN", (SKB_ASN_2022,)),
    "kpu": Role("penyelenggara pemilu", ORGANIZER_BASIS),
    "bawaslu": Role("penyelenggara pemilu", ORGANIZER_BASIS),
    "ppk": Role("badan ad hoc penyelenggara pemilu", ORGANIZER_BASIS),
    "pps": Role("badan ad hoc penyelenggara pemilu", ORGANIZER_BASIS),
    "kpps": Role("badan ad hoc penyelenggara pemilu", ORGANIZER_BASIS),
    "panwascam": Role("badan ad hoc penyelenggara pemilu", ORGANIZER_BASIS),
    "pkd": Role("badan ad hoc penyelenggara pemilu", ORGANIZER_BASIS),
    "ptps": Role("badan ad hoc penyelenggara pemilu", ORGANIZER_BASIS),
    "kepala_desa": Role("kepala desa", (f"{UU_DESA}, Pasal 29", UU_PILKADA)),
    "perangkat_desa": Role("perangkat desa", (f"{UU_DESA}, Pasal 51", UU_PILKADA)),
    "tni": Role("anggota TNI", ("Undang-Undang Nomor 34 Tahun 2004 tentang Tentara Nasional Indonesia, Pasal 39",)),
    "polri": Role("anggota Polri", ("Undang-Undang Nomor 2 Tahun 2002 tentang Kepolisian Negara Republik "
                                    "Indonesia, Pasal 28",)),
}
# A person whose role is not known to the rules (an old row) is described by their group; their group's
# law is not guessed: such an act names no legal basis rather than a wrong one.
GROUP_ROLE = {"asn": "pns", "organizer": "kpu"}


def legal_basis(role: str) -> tuple[str, ...]:
    """The laws that bind a monitored role (a models.base.PersonRole value); () for any other role."""
    found = LEGAL_BASIS.get(role)
    return found.legal_basis if found else ()


class UnknownRule(KeyError):
    """A rule code that is not in the registry (a typo, or a flag from a removed rule)."""


@dataclass(frozen=True)
class Act:
    """What one monitored account did, as the rules need to know it."""

    kind: str  # post | like | reply | repost | quote
    person_role: str  # the role group: asn | organizer | village | security
    person_name: str
    label: str | None  # the post's label: partisan | election_info | other (None = not classified)
    score: float  # calibrated score of that label
    author_is_campaign: bool  # the post's author is a candidate, party or campaign account
    author_handle: str = ""
    phase: str | None = None
    role: str = ""  # the PersonRole value (pns, kpu, kepala_desa, ...): chooses the legal basis
    # When the platform gave no time for the act: (earliest, latest) as the reviewer reads them (either may
    # be None when not known either), and every phase that range overlaps. `phase` is then the lightest of
    # them (lightest_phase), an assumption the explanation states.
    time_unknown: tuple[str | None, str | None] | None = None
    phases_in_range: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    act: str  # the prohibited act, in the decree's words (Indonesian)
    base_severity: str
    applies: Callable[[Act], bool]
    # When several rules fire for one act, the highest wins (see combine): naming the act itself
    # (a partisan quote) is more specific than what the account wrote, which beats "a campaign account".
    specificity: int = 2

    def severity(self, phase: str | None) -> str:
        i = SEVERITIES.index(self.base_severity) + PHASE_BUMP.get(phase or "campaign", 0)
        return SEVERITIES[min(i, len(SEVERITIES) - 1)]

    def explain(self, act: Act) -> str:
        """An Indonesian explanation for the reviewer: who, what, when, and the law that binds them."""
        known = LEGAL_BASIS.get(act.role) or LEGAL_BASIS.get(GROUP_ROLE.get(act.person_role, ""))
        role_name = known.name if known else ROLE_ID.get(act.person_role, act.person_role)
        who = f"{act.person_name} ({role_name})"
        if act.kind == "post":
            what = f"{who} menulis unggahan yang dinilai partisan (skor {act.score:.2f})"
        elif self.code == "INTERACT_CAMPAIGN_ACCOUNT":
            what = (f"{who} {KIND_ID[act.kind]} unggahan akun kandidat/tim kampanye "
                    f"@{act.author_handle}, meskipun isi unggahannya tidak dinilai partisan")
        else:
            what = f"{who} {KIND_ID[act.kind]} unggahan yang dinilai partisan (skor {act.score:.2f})"
        when = f" {PHASE_ID[act.phase]}" if act.phase in PHASE_ID else ""
        if act.time_unknown is not None:
            when = f" ({unknown_time_note(act)})"
        basis = legal_basis(act.role) if act.role else ()
        law = f" Dasar hukum: {'; '.join(basis)}." if basis else ""
        return (f"{what}{when}. Perbuatan yang dinilai: {self.act}.{law} "
                "Ini adalah dugaan yang perlu diperiksa peninjau, bukan putusan.")


def lightest_phase(phases) -> str | None:
    """The least severe of the phases a range of unknown time overlaps (benefit of the doubt).

    An act whose time the platform did not give may have happened on any day between the post's creation
    and when it was first seen; choosing the weightiest phase in that range would accuse by assumption.
    Among equally light phases the earliest in PHASE_ORDER is named.
    """
    known = [p for p in PHASE_ORDER if p in set(phases)]
    if not known:
        return None
    return min(known, key=lambda p: PHASE_BUMP.get(p, 0))


def unknown_time_note(act: Act) -> str:
    """The explanation's words for an act of unknown time: the range, the phases in it, the assumption."""
    earliest, latest = act.time_unknown or (None, None)
    if earliest and latest:
        span = f"antara {earliest} dan {latest}"
    elif latest:
        span = f"tidak lebih lambat dari {latest}"
    elif earliest:
        span = f"tidak lebih awal dari {earliest}"
    else:
        span = "tanpa batas yang diketahui"
    text = f"waktu tidak diketahui: {span}"
    phases = [PHASE_NOUN[p] for p in PHASE_ORDER if p in act.phases_in_range]
    if phases:
        text += f", rentang yang mencakup {', '.join(phases)}"
    if act.phase in PHASE_NOUN:
        text += ("; tingkat keparahan diambil dari fase yang paling ringan dalam rentang itu "
                 f"({PHASE_NOUN[act.phase]})")
    return text


def _partisan(kind: str) -> Callable[[Act], bool]:
    return lambda a: a.kind == kind and a.label == "partisan"


RULES: dict[str, Rule] = {
    "POST_PARTISAN": Rule(
        "POST_PARTISAN", "membuat unggahan yang mendukung atau menyerang peserta pemilihan di media sosial",
        "high", _partisan("post"), specificity=1),
    "LIKE_PARTISAN": Rule(
        "LIKE_PARTISAN", "memberikan tanda suka (like) pada konten kampanye atau dukungan peserta pemilihan",
        "low", _partisan("like")),
    "REPLY_PARTISAN": Rule(
        "REPLY_PARTISAN", "memberikan komentar pada konten kampanye atau dukungan peserta pemilihan",
        "medium", _partisan("reply")),
    "REPOST_PARTISAN": Rule(
        "REPOST_PARTISAN", "membagikan (share/repost) konten kampanye atau dukungan peserta pemilihan",
        "medium", _partisan("repost")),
    "QUOTE_PARTISAN": Rule(
        "QUOTE_PARTISAN", "membagikan ulang dengan komentar (quote) konten kampanye peserta pemilihan",
        "medium", _partisan("quote")),
    "INTERACT_CAMPAIGN_ACCOUNT": Rule(
        "INTERACT_CAMPAIGN_ACCOUNT",
        "berinteraksi (suka, komentar, bagikan) dengan akun kandidat atau tim kampanye peserta pemilihan",
        "low", lambda a: a.kind != "post" and a.author_is_campaign and a.label != "partisan", specificity=0),
}


def get_rule(code: str) -> Rule:
    """Return the rule registered under code; raise UnknownRule otherwise."""
    try:
        return RULES[code]
    except KeyError:
        raise UnknownRule(code) from None


def decide(act: Act) -> Rule | None:
    """Return the one rule that fires for this act, or None.

    Only monitored people (ASN, organizers, village officials, TNI/Polri) reach here. A neutral post
    (election_info/other) by anyone but a campaign account never fires: sharing a KPU reminder is fine. A partisan post
    fires the rule for the act itself, whoever wrote it; a campaign account's non-partisan post
    fires the campaign-account rule.
    """
    if act.person_role not in ROLE_ID:
        return None
    for rule in RULES.values():
        if rule.applies(act):
            return rule
    return None


@dataclass(frozen=True)
class Case:
    """What one act becomes when rules fire: one rule, one severity, one explanation, the other reasons."""

    rule: Rule
    act: Act
    severity: str
    explanation: str
    also: tuple[tuple[Rule, Act], ...]  # the other rules that fired for the same act


def combine(fired: Sequence[tuple[Rule, Act]], phase: str | None) -> Case:
    """One act, one case: keep the most specific rule that fired; list the others in the explanation.

    `fired` holds each rule with the Act it fired on (a quote is seen twice: as the interaction and as
    the account's own post). The case weighs what its weightiest reason weighs, so merging never lowers
    the severity a reviewer sees.
    """
    if not fired:
        raise ValueError("combine() needs at least one fired rule")
    ranked = sorted(fired, key=lambda ra: (ra[0].specificity, SEVERITIES.index(ra[0].base_severity)), reverse=True)
    rule, act = ranked[0]
    also = tuple(ranked[1:])
    severity = max((r.severity(phase) for r, _ in fired), key=SEVERITIES.index)
    text = rule.explain(act)
    if also:
        others = "; ".join(f"{r.code} ({r.act})" for r, _ in also)
        text += f" Aturan lain yang juga terpenuhi oleh perbuatan yang sama: {others}."
    return Case(rule, act, severity, text, also)
