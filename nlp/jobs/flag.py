"""NLP stage, database job: run the neutrality rules over monitored accounts' acts (the scheduler calls it).

Idempotent and one case per act: an act (an interaction, with the reply or quote the account wrote for it,
or an authored post) already covered by a flag under any rule gets no second flag, so re-running inserts
only flags for acts not flagged yet. Flags stay unique per (rule_code, subject_key) in the database.
The boundary between the store's enums and the pure rules (which take plain values, see nlp.rules): an Act
gets the `.value` of the phase, role, role group, interaction kind and label; a case's severity comes back as
a Severity.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, select
from sqlalchemy.orm import Session

from models import Account, AccountLink, Classification, Flag, Interaction, Person, Post
from models.base import AttributionMethod, Label, LinkStatus, Phase, Platform, RoleGroup, Severity
from models.session import session_scope
from nlp import classifier as clf_mod
from nlp.jobs.classify import Progress, _profile
from nlp.rules import Act, combine, decide, lightest_phase


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


def _local(when: datetime, profile) -> datetime:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(profile.election.timezone) if profile is not None else UTC
    return when.astimezone(zone) if when.tzinfo else when.replace(tzinfo=UTC).astimezone(zone)


def _event_day(when: datetime | None, profile) -> Phase | None:
    if when is None or profile is None:
        return None
    return profile.phase_on(_local(when, profile).date())


def _phases_between(earliest: datetime | None, latest: datetime | None, profile) -> tuple[str, ...]:
    """Every phase a day between the bounds can fall in (a missing bound is open-ended).

    Phases change only at the profile's period boundaries, so the bounds' days and the boundaries between
    them are all the days there is to look at.
    """
    if profile is None:
        return ()
    e = profile.election
    lo = _local(earliest, profile).date() if earliest else date.min
    hi = _local(latest, profile).date() if latest else date.max
    if lo > hi:  # a post "created" after it was seen (a clock skew): the range is the day it was seen
        lo = hi
    one = timedelta(days=1)
    edges = {e.campaign_period.start, e.campaign_period.end + one, e.quiet_period.start,
             e.quiet_period.end + one, e.voting_day, e.voting_day + one}
    days = {lo, hi} | {d for d in edges if lo <= d <= hi}
    return tuple(sorted({profile.phase_on(d).value for d in days}))


def _bounds_text(when: datetime | None, profile) -> str | None:
    if when is None:
        return None
    local = _local(when, profile)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@dataclass(frozen=True)
class _When:
    """An act's time: known (at), or unknown between earliest and latest."""

    at: datetime | None
    earliest: datetime | None = None
    latest: datetime | None = None


def _act_time(at: datetime | None, earliest: datetime | None, latest: datetime | None, profile
              ) -> tuple[_When, Phase | None, dict]:
    """The act's time, the phase its severity uses, and what Act must say about an unknown time.

    A known time gives its day's phase. An unknown one is never replaced by the capture time: its phase is
    the lightest the range overlaps (nlp.rules.lightest_phase), an assumption the explanation states.
    """
    if at is not None:
        return _When(at), _event_day(at, profile), {}
    phases = _phases_between(earliest, latest, profile)
    chosen = lightest_phase(phases)
    extra = {"time_unknown": (_bounds_text(earliest, profile), _bounds_text(latest, profile)),
             "phases_in_range": phases}
    return _When(None, earliest, latest), Phase(chosen) if chosen else None, extra


@dataclass
class _Seen:
    """One act of one monitored account and the rules that fired on it (a quote is seen twice)."""

    subjects: set[str] = field(default_factory=set)
    fired: list[tuple] = field(default_factory=list)  # (rule, act, post, cls, subject, interaction, when)


def _flag_row(seen: _Seen, person: Person, account_id: int, phase: str | None) -> dict:
    case = combine([(rule, act) for rule, act, *_ in seen.fired], phase)
    rule, act, post, cls, subject, interaction, when = next(f for f in seen.fired if f[0] is case.rule
                                                              and f[1] is case.act)
    reasons = list(cls.reasons or []) if cls is not None else []
    for other_rule, other_act, _post, other_cls, other_subject, _inter, _when in seen.fired:
        if other_rule is rule:
            continue
        # The other reasons stay visible in the case: what else fired, and the classifier's evidence for it.
        reasons.append({"rule": other_rule.code, "subject": other_subject,
                        "explanation": other_rule.explain(other_act)})
        reasons += list(other_cls.reasons or []) if other_cls is not None else []
    scores = [a.score if a.label == Label.PARTISAN.value else 1.0 for _r, a, *_ in seen.fired]
    return dict(rule_code=rule.code, subject_key=subject, interaction_id=interaction.id if interaction else None,
                post_id=post.id, person_id=person.id, account_id=account_id,
                severity=Severity(case.severity), score=max(scores), explanation=case.explanation,
                reasons=reasons, event_at=when.at, event_earliest=when.earliest, event_latest=when.latest,
                platform=post.platform, institution=person.institution,
                region_province=person.region_province, region_regency=person.region_regency)


def run_rules(engine: Engine, profile: Any = None, progress: Progress = None, chunk_size: int = 500) -> dict:
    """Apply every rule to posts and interactions of monitored accounts; insert only new flags.

    One act of one person is one flag, whatever rules fire: a reply or quote is seen as the interaction
    and as the account's own post, and the most specific rule is kept (nlp.rules.combine). Reading takes
    no write lock; each chunk of accounts is committed in its own short write transaction, so on SQLite
    reviewers' claims and logins wait for one chunk's insert at most, never for the whole run.
    """
    from nlp.jobs.flagstore import insert_flags

    profile = _profile(profile)
    version = clf_mod.load().version
    counts: Counter = Counter()
    with session_scope(engine) as session:
        monitored = monitored_accounts(session)
        campaign = campaign_accounts(session, profile)
        handles = dict(session.execute(select(Account.id, Account.handle).where(Account.id.in_(campaign))).all())
        existing = set(session.scalars(select(Flag.subject_key)))
    inserted = 0
    ids = list(monitored)
    for i in range(0, len(ids), chunk_size):
        chunk = ids[i : i + chunk_size]
        with session_scope(engine) as session:
            rows = _chunk_rows(session, chunk, version, profile, monitored, campaign, handles, existing, counts)
        if rows:
            with session_scope(engine, write=True) as session:
                inserted += insert_flags(session, rows)
        if progress:
            progress(len(chunk))
    counts["unclassified_posts_seen"] = counts.pop("unclassified", 0)
    return {"model_version": version, "new_flags": inserted, "monitored_accounts": len(monitored), **counts}


def _chunk_rows(session: Session, chunk: list[int], version: str, profile, monitored: dict[int, Person],
                campaign: set[int], handles: dict[int, str], existing: set[str], counts: Counter) -> list[dict]:
    """The new flag rows for one chunk of monitored accounts: one per act."""
    # Each post comes with its label from the current model (outer join: unclassified -> None).
    current = and_(Classification.post_id == Post.id, Classification.model_version == version)
    acts: dict[str, _Seen] = {}
    phases: dict[str, str | None] = {}
    own: dict[int, str] = {}  # a reply's or quote's own post id -> the interaction it belongs to
    pairs = session.execute(select(Interaction, Post, Classification)
                            .join(Post, Post.id == Interaction.target_post_id)
                            .outerjoin(Classification, current)
                            .where(Interaction.actor_account_id.in_(chunk)))
    for inter, post, cls in pairs:
        key = f"interaction:{inter.id}"
        seen = acts.setdefault(key, _Seen({key}))
        if inter.own_post_id is not None:
            own[inter.own_post_id] = key
            seen.subjects.add(f"post:{inter.own_post_id}")
        # The platform's time when it gave one; else unknown: not before the post, not after first seen.
        when, phase, extra = _act_time(inter.occurred_at, post.created_at, inter.first_seen_at, profile)
        is_campaign = post.author_account_id in campaign
        act = _act(inter.kind.value, monitored[inter.actor_account_id], cls, is_campaign,
                   handles.get(post.author_account_id) or "", phase, **extra)
        phases[key] = act.phase
        _consider(act, post, cls, key, inter, when, seen, counts)
    authored = session.execute(select(Post, Classification).outerjoin(Classification, current)
                               .where(Post.author_account_id.in_(chunk)))
    for post, cls in authored:
        subject = f"post:{post.id}"
        key = own.get(post.id, subject)  # the account's own reply or quote is part of that interaction's act
        seen = acts.setdefault(key, _Seen({key}))
        when, phase, extra = _act_time(post.created_at, None, post.fetched_at, profile)
        act = _act("post", monitored[post.author_account_id], cls, False, "", phase, **extra)
        phases.setdefault(key, act.phase)
        _consider(act, post, cls, subject, None, when, seen, counts)
    rows = []
    for key, seen in acts.items():
        if not seen.fired:
            continue
        if seen.subjects & existing:
            counts["already_flagged"] += 1
            continue
        existing.update(seen.subjects)
        row = _flag_row(seen, monitored[_account(seen)], _account(seen), phases.get(key))
        counts[row["rule_code"]] += 1
        if len(seen.fired) > 1:
            counts["merged_acts"] += 1
        rows.append(row)
    return rows


def _account(seen: _Seen) -> int:
    _rule, _act_, post, _cls, _subject, inter, _when = seen.fired[0]
    return inter.actor_account_id if inter is not None else post.author_account_id


def _act(kind, person: Person, cls, is_campaign: bool, handle: str, phase: Phase | None, **extra) -> Act:
    return Act(kind=kind, person_role=person.role.group.value, person_name=person.name,
               label=cls.label.value if cls is not None else None, score=cls.score if cls is not None else 0.0,
               author_is_campaign=is_campaign, author_handle=handle, phase=phase.value if phase else None,
               role=person.role.value, **extra)


def _consider(act, post, cls, subject, inter, when, seen: _Seen, counts) -> None:
    if cls is None:
        counts["unclassified"] += 1
        if not act.author_is_campaign:
            return
    rule = decide(act)
    if rule is not None:
        seen.fired.append((rule, act, post, cls, subject, inter, when))
