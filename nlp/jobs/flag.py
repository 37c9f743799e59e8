"""NLP stage, database job: run the neutrality rules over monitored accounts' acts (the scheduler calls it).

Idempotent: flags are unique per (rule_code, subject_key), so re-running inserts only flags that do not
exist yet. The boundary between the store's enums and the pure rules (which take plain values, see nlp.rules):
an Act gets the `.value` of the phase, role group, interaction kind and label; a rule's severity comes back
as a Severity.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, select
from sqlalchemy.orm import Session

from models import Account, AccountLink, Classification, Flag, Interaction, Person, Post
from models.base import AttributionMethod, Label, LinkStatus, Phase, Platform, RoleGroup, Severity
from models.session import session_scope
from nlp import classifier as clf_mod
from nlp.jobs.classify import Progress, _profile
from nlp.rules import Act, decide


def monitored_accounts(session: Session) -> dict[int, Person]:
    """Map account id -> the monitored person it belongs to.

    A registry link always wins: when an account has one, detection and reviewer links are ignored.
    Otherwise only confirmed links count; a detected (suggested) role never flags anyone.
    """
    rows = session.execute(
        select(AccountLink, Person).join(Person, Person.id == AccountLink.person_id)
        .where(AccountLink.status != LinkStatus.REJECTED)
    ).all()
    by_account: dict[int, list[tuple[AccountLink, Person]]] = {}
    for link, person in rows:
        by_account.setdefault(link.account_id, []).append((link, person))
    out: dict[int, Person] = {}
    for account_id, links in by_account.items():
        registry = [(lk, p) for lk, p in links if lk.method == AttributionMethod.REGISTRY]
        chosen = registry or [(lk, p) for lk, p in links if lk.status == LinkStatus.CONFIRMED]
        monitored = [p for _, p in chosen if p.role.is_monitored]
        if monitored and all(p.role.is_monitored for _, p in chosen):
            out[account_id] = monitored[0]
    return out


def campaign_accounts(session: Session, profile) -> set[int]:
    """Account ids of candidates, parties and campaign teams: the profile's, plus confirmed registry links."""
    ids: set[int] = set()
    if profile is not None:
        for cand in profile.candidates:
            for ref in cand.accounts:
                platform = Platform(ref.platform)
                ids.update(session.scalars(select(Account.id).where(Account.platform == platform,
                                                                     Account.handle == ref.handle.lower())))
    rows = session.execute(
        select(AccountLink.account_id, Person.role).join(Person, Person.id == AccountLink.person_id)
        .where(AccountLink.status == LinkStatus.CONFIRMED)
    ).all()
    ids.update(aid for aid, role in rows if role.group is RoleGroup.CANDIDATE)
    return ids


def _event_day(when: datetime | None, profile) -> Phase | None:
    if when is None or profile is None:
        return None
    from zoneinfo import ZoneInfo

    local = when.astimezone(ZoneInfo(profile.election.timezone)) if when.tzinfo else when
    return profile.phase_on(local.date())


def _flag_row(rule, act: Act, person: Person, account_id: int, post: Post, cls: Classification | None,
              subject: str, interaction: Interaction | None, when: datetime | None) -> dict:
    reasons = list(cls.reasons or []) if cls is not None else []
    return dict(rule_code=rule.code, subject_key=subject, interaction_id=interaction.id if interaction else None,
                post_id=post.id, person_id=person.id, account_id=account_id,
                severity=Severity(rule.severity(act.phase)),
                score=act.score if act.label == Label.PARTISAN.value else 1.0, explanation=rule.explain(act),
                reasons=reasons, event_at=when, platform=post.platform, institution=person.institution,
                region_province=person.region_province, region_regency=person.region_regency)


def run_rules(engine: Engine, profile: Any = None, progress: Progress = None) -> dict:
    """Apply every rule to posts and interactions of monitored accounts; insert only new flags."""
    from nlp.jobs.flagstore import insert_flags

    profile = _profile(profile)
    version = clf_mod.load().version
    counts: Counter = Counter()
    with session_scope(engine, write=True) as session:
        monitored = monitored_accounts(session)
        campaign = campaign_accounts(session, profile)
        handles = dict(session.execute(select(Account.id, Account.handle).where(Account.id.in_(campaign))).all())
        existing = set(session.execute(select(Flag.rule_code, Flag.subject_key)).all())
        # Each post comes with its label from the current model (outer join: unclassified -> None).
        current = and_(Classification.post_id == Post.id, Classification.model_version == version)
        rows: list[dict] = []
        ids = list(monitored)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            authored = session.execute(select(Post, Classification).outerjoin(Classification, current)
                                       .where(Post.author_account_id.in_(chunk)))
            for post, cls in authored:
                act = _act("post", monitored[post.author_account_id], cls, False, "",
                           _event_day(post.created_at, profile))
                _consider(act, post, cls, f"post:{post.id}", None, post.author_account_id, post.created_at,
                          monitored, existing, rows, counts)
            pairs = session.execute(select(Interaction, Post, Classification)
                                    .join(Post, Post.id == Interaction.target_post_id)
                                    .outerjoin(Classification, current)
                                    .where(Interaction.actor_account_id.in_(chunk)))
            for inter, post, cls in pairs:
                when = inter.occurred_at or inter.first_seen_at
                is_campaign = post.author_account_id in campaign
                act = _act(inter.kind.value, monitored[inter.actor_account_id], cls, is_campaign,
                           handles.get(post.author_account_id) or "", _event_day(when, profile))
                _consider(act, post, cls, f"interaction:{inter.id}", inter, inter.actor_account_id, when,
                          monitored, existing, rows, counts)
            if progress:
                progress(len(chunk))
        counts["unclassified_posts_seen"] = counts.pop("unclassified", 0)
        inserted = insert_flags(session, rows)
    return {"model_version": version, "new_flags": inserted, "monitored_accounts": len(monitored), **counts}


def _act(kind, person: Person, cls, is_campaign: bool, handle: str, phase: Phase | None) -> Act:
    return Act(kind=kind, person_role=person.role.group.value, person_name=person.name,
               label=cls.label.value if cls is not None else None, score=cls.score if cls is not None else 0.0,
               author_is_campaign=is_campaign, author_handle=handle, phase=phase.value if phase else None)


def _consider(act, post, cls, subject, inter, account_id, when, monitored, existing, rows, counts) -> None:
    if cls is None:
        counts["unclassified"] += 1
        if not act.author_is_campaign:
            return
    rule = decide(act)
    if rule is None:
        return
    if (rule.code, subject) in existing:
        counts["already_flagged"] += 1
        return
    existing.add((rule.code, subject))
    counts[rule.code] += 1
    rows.append(_flag_row(rule, act, monitored[account_id], account_id, post, cls, subject, inter, when))
