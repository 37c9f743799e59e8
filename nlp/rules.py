"""NLP stage: the flag rules, one per prohibited act of the 2022 joint decree (SKB) on ASN neutrality.

A registry (plain dict) of rule codes; `get_rule` raises on an unknown code. `decide()` is pure:
given what is known about one act (who, what kind, the post's label and author), it returns the
rule that fires, or None. The database job that feeds it lives in nlp.jobs.flag.

Vocabulary: phases, role groups, severities, interaction kinds and labels are defined once, as the enums
of models.base (Phase, RoleGroup, Severity, InteractionKind, Label). This module is pure and must not
import models, so it speaks their stored `.value`s (the strings the database and the CSVs hold): the job
passes `.value`s in (Act) and turns what comes out back into enums (`Severity(rule.severity(...))`).
The tables below are keyed by those values; tests/nlp/test_rules.py pins them to the enums, so a member
added or renamed there fails the tests instead of silently getting no severity bump or explanation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SEVERITIES = ("low", "medium", "high", "critical")  # models.base.Severity values, in rising order
# Keyed by models.base.Phase values. The quiet period and voting day make the same act weigh more
# (SKB; UU 10/2016 on campaign timing).
PHASE_BUMP = {"before": 0, "campaign": 0, "after": 0, "quiet": 1, "voting_day": 2}
PHASE_ID = {"before": "sebelum masa kampanye", "campaign": "masa kampanye", "quiet": "masa tenang",
            "voting_day": "hari pemungutan suara", "after": "setelah pemungutan suara"}
ROLE_ID = {"asn": "ASN", "organizer": "penyelenggara pemilu"}  # the monitored RoleGroup values
# models.base.InteractionKind values (a post is an act, not an interaction).
KIND_ID = {"like": "menyukai", "reply": "mengomentari", "repost": "membagikan ulang",
           "quote": "mengutip dan membagikan"}


class UnknownRule(KeyError):
    """A rule code that is not in the registry (a typo, or a flag from a removed rule)."""


@dataclass(frozen=True)
class Act:
    """What one monitored account did, as the rules need to know it."""

    kind: str  # post | like | reply | repost | quote
    person_role: str  # asn | organizer
    person_name: str
    label: str | None  # the post's label: partisan | election_info | other (None = not classified)
    score: float  # calibrated score of that label
    author_is_campaign: bool  # the post's author is a candidate, party or campaign account
    author_handle: str = ""
    phase: str | None = None


@dataclass(frozen=True)
class Rule:
    code: str
    act: str  # the prohibited act, in the decree's words (Indonesian)
    base_severity: str
    applies: Callable[[Act], bool]

    def severity(self, phase: str | None) -> str:
        i = SEVERITIES.index(self.base_severity) + PHASE_BUMP.get(phase or "campaign", 0)
        return SEVERITIES[min(i, len(SEVERITIES) - 1)]

    def explain(self, act: Act) -> str:
        """An Indonesian explanation for the reviewer: who, what, why it matters, when."""
        who = f"{act.person_name} ({ROLE_ID.get(act.person_role, act.person_role)})"
        if act.kind == "post":
            what = f"{who} menulis unggahan yang dinilai partisan (skor {act.score:.2f})"
        elif self.code == "INTERACT_CAMPAIGN_ACCOUNT":
            what = (f"{who} {KIND_ID[act.kind]} unggahan akun kandidat/tim kampanye "
                    f"@{act.author_handle}, meskipun isi unggahannya tidak dinilai partisan")
        else:
            what = f"{who} {KIND_ID[act.kind]} unggahan yang dinilai partisan (skor {act.score:.2f})"
        when = f" pada {PHASE_ID[act.phase]}" if act.phase in PHASE_ID else ""
        return (f"{what}{when}. Perbuatan yang dilarang SKB Netralitas ASN 2022: {self.act}. "
                "Ini adalah dugaan yang perlu diperiksa peninjau, bukan putusan.")


def _partisan(kind: str) -> Callable[[Act], bool]:
    return lambda a: a.kind == kind and a.label == "partisan"


RULES: dict[str, Rule] = {
    "POST_PARTISAN": Rule(
        "POST_PARTISAN", "membuat unggahan yang mendukung atau menyerang peserta pemilihan di media sosial",
        "high", _partisan("post")),
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
        "low", lambda a: a.kind != "post" and a.author_is_campaign and a.label != "partisan"),
}


def get_rule(code: str) -> Rule:
    """Return the rule registered under code; raise UnknownRule otherwise."""
    try:
        return RULES[code]
    except KeyError:
        raise UnknownRule(code) from None


def decide(act: Act) -> Rule | None:
    """Return the one rule that fires for this act, or None.

    Only monitored people (ASN, organizers) reach here. A neutral post (election_info/other) by
    anyone but a campaign account never fires: sharing a KPU reminder is fine. A partisan post
    fires the rule for the act itself, whoever wrote it; a campaign account's non-partisan post
    fires the campaign-account rule.
    """
    if act.person_role not in ROLE_ID:
        return None
    for rule in RULES.values():
        if rule.applies(act):
            return rule
    return None
