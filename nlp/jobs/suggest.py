"""NLP stage: turn role detections on stored accounts into *suggested* registry links.

An account with no registry link whose name or bio reads like an ASN, an organizer or the
candidate side gets a Person and an AccountLink(method=detection, status=suggested) carrying the
evidence spans. Suggestions never raise flags: a reviewer confirms them first (nlp.jobs.flag only
counts registry links and confirmed ones). Re-running adds nothing for accounts already linked.
"""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import Engine, select

from models import Account, AccountLink, AttributionMethod, LinkStatus, Person, PersonRole
from models.base import RoleGroup
from models.registry import person_key
from models.session import session_scope
from nlp.roles import detect

# Which registry role a detection stands for, from the words of its strongest evidence.
_ORGANIZER_ROLES = [("bawaslu", PersonRole.BAWASLU), ("panwas", PersonRole.PANWASCAM), ("kpps", PersonRole.KPPS),
                    ("ptps", PersonRole.PTPS), ("pengawas tps", PersonRole.PTPS), ("pkd", PersonRole.PKD),
                    ("pps", PersonRole.PPS), ("ppk", PersonRole.PPK), ("panitia pemilihan kecamatan", PersonRole.PPK),
                    ("kpu", PersonRole.KPU)]


def registry_role(role: str, evidence: list[dict]) -> PersonRole:
    """Map a detected role group and its evidence to the registry's finer role."""
    text = " ".join(e["text"].lower() for e in evidence if not e.get("cancelled_by"))
    if role == RoleGroup.ASN:
        return PersonRole.PPPK if re.search(r"\bpppk\b", text) else PersonRole.PNS
    if role == RoleGroup.ORGANIZER:
        return next((r for word, r in _ORGANIZER_ROLES if word in text), PersonRole.KPU)
    if re.search(r"calon|cabup|cagub|cawalkot|caleg|paslon|kandidat", text):
        return PersonRole.CANDIDATE
    if re.search(r"relawan|tim|jurkam|kampanye|saksi", text):
        return PersonRole.CAMPAIGN
    return PersonRole.PARTY


def suggest_roles(engine: Engine) -> dict:
    """Add suggested links for unlinked accounts whose bios show a role; return counts per role."""
    counts: Counter = Counter()
    with session_scope(engine, write=True) as session:
        linked = set(session.scalars(select(AccountLink.account_id)))
        for account in session.scalars(select(Account).where(Account.bio.is_not(None))):
            if account.id in linked:
                continue
            res = detect(account.bio, account.display_name)
            if res.role == "other":
                continue
            role = registry_role(res.role, res.evidence)
            name = account.display_name or account.handle or f"akun {account.id}"
            institution = f"(terdeteksi dari bio @{account.handle or account.id})"
            person = Person(person_key=person_key(name, role.value, institution, None)[:600], name=name[:255],
                            role=role, institution=institution)
            session.add(person)
            session.flush()
            session.add(AccountLink(person_id=person.id, account_id=account.id, method=AttributionMethod.DETECTION,
                                    status=LinkStatus.SUGGESTED, confidence=res.score,
                                    evidence={"detector": "nlp.roles", "role": res.role, "spans": res.evidence}))
            counts[res.role] += 1
    return {"suggested": sum(counts.values()), **counts}
