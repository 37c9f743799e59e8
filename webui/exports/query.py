"""Review stage, exports: what a compliance summary contains, read in constant memory.

Counts are aggregated by the database. Confirmed cases are read in keyset batches of BATCH flags
(never all at once), each batch with one query for its reviewers.

What counts is acts, by their latest decision: a withdrawn flag (retracted, or its account link rejected)
counts nowhere, and a flag that merely repeats another flag's act (a quote's own post flagged beside the
quote, from before one act became one case) is not counted twice. Reviewers are those who confirmed
since the case was last reopened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Integer, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from models import Account, Decision, Flag, FlagStatus, Interaction, Person, Platform, Post, Review, User
from webui.config import display_zone
from webui.formatting import local_time
from webui.review.queue import QueueFilter
from webui.review.queue import conditions as queue_conditions

BATCH = 2000


@dataclass
class SummaryFilter:
    """Which flags a summary covers: institution, region, platform, and a period of local (NETRAL_TIMEZONE) dates."""

    institution: str = ""
    province: str = ""
    regency: str = ""
    platform: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_mapping(cls, data) -> SummaryFilter:
        f = cls(**{k.name: (data.get(k.name) or "").strip()[:255] for k in fields(cls) if data.get(k.name)})
        if f.platform and f.platform not in {p.value for p in Platform}:
            raise ValueError(f"unknown platform {f.platform!r}")
        for name in ("date_from", "date_to"):
            if getattr(f, name):
                date.fromisoformat(getattr(f, name))  # raises ValueError on a bad date
        return f

    def conditions(self) -> list:
        # The queue's filter builds the same conditions; every status but withdrawn counts in a summary.
        return queue_conditions(QueueFilter(status="", **self.describe())) + counted()

    def describe(self) -> dict:
        return {k.name: getattr(self, k.name) for k in fields(self) if getattr(self, k.name)}


def counted() -> list:
    """Conditions for the flags a summary counts: one per act, none withdrawn."""
    own, twin = aliased(Interaction), aliased(Flag)
    # The account's own reply or quote post, flagged beside the interaction it belongs to.
    repeats = exists().where(own.actor_account_id == Flag.account_id, own.own_post_id == Flag.post_id,
                             twin.interaction_id == own.id, twin.person_id == Flag.person_id,
                             twin.status != FlagStatus.WITHDRAWN)
    return [Flag.status != FlagStatus.WITHDRAWN, or_(Flag.interaction_id.is_not(None), ~repeats)]


SUMMARY_HEADER = ["instansi", "provinsi", "kabupaten_kota", "platform", "aturan", "ditandai", "dikonfirmasi",
                  "ditolak", "eskalasi", "belum_diputuskan"]


def _count(status: FlagStatus):
    return func.sum(case((Flag.status == status, 1), else_=0)).cast(Integer)


def summary_rows(session: Session, f: SummaryFilter) -> Iterator[list]:
    """Flagged, confirmed and dismissed counts by institution, region, platform and rule."""
    keys = (Flag.institution, Flag.region_province, Flag.region_regency, Flag.platform, Flag.rule_code)
    pending = func.sum(case((Flag.status.in_([FlagStatus.NEW, FlagStatus.IN_REVIEW]), 1), else_=0)).cast(Integer)
    query = (select(*keys, func.count(), _count(FlagStatus.CONFIRMED), _count(FlagStatus.DISMISSED),
                    _count(FlagStatus.ESCALATED), pending)
             .where(*f.conditions()).group_by(*keys).order_by(*keys))
    for row in session.execute(query):
        yield [row[0] or "", row[1] or "", row[2] or "", row[3].value, *row[4:]]


def time_column(name: str) -> str:
    """A time column's name with the display zone, e.g. waktu_wib (NETRAL_TIMEZONE)."""
    return f"{name}_{display_zone().column_suffix()}"


def case_header(include_nip: bool) -> list[str]:
    head = ["id_kasus", time_column("waktu"), "aturan", "tingkat", "platform", "instansi", "provinsi", "kabupaten_kota",
            "nama", "jabatan"]
    if include_nip:
        head.append("nip")
    return head + ["akun", "jenis_interaksi", "url", "sha256_bukti", time_column("waktu_tangkap"), "peninjau"]


def confirmed_cases(session: Session, f: SummaryFilter, include_nip: bool = False) -> Iterator[list]:
    """The confirmed cases, oldest id first, streamed in batches."""
    last_id = 0
    while True:
        rows = session.execute(
            select(Flag.id, Flag.event_at, Flag.rule_code, Flag.severity, Flag.platform, Flag.institution,
                   Flag.region_province, Flag.region_regency, Person.name, Person.position, Person.nip,
                   Account.handle, Interaction.kind, Post.url, Interaction.raw_sha256, Post.raw_sha256,
                   Interaction.fetched_at, Post.fetched_at)
            .outerjoin(Person, Person.id == Flag.person_id)
            .join(Account, Account.id == Flag.account_id)
            .outerjoin(Interaction, Interaction.id == Flag.interaction_id)
            .outerjoin(Post, Post.id == Flag.post_id)
            .where(Flag.status == FlagStatus.CONFIRMED, Flag.id > last_id, *f.conditions())
            .order_by(Flag.id).limit(BATCH)
        ).all()
        if not rows:
            return
        reviewers = _reviewers(session, [r[0] for r in rows])
        for r in rows:
            out = [r[0], local_time(r[1]), r[2], r[3].value, r[4].value, r[5] or "", r[6] or "", r[7] or "",
                   r[8] or "", r[9] or ""]
            if include_nip:
                out.append(r[10] or "")
            out += [r[11] or "", r[12].value if r[12] else "unggahan", r[13] or "", r[14] or r[15] or "",
                    local_time(r[16] or r[17]), ", ".join(reviewers.get(r[0], []))]
            yield out
        last_id = rows[-1][0]
        session.expunge_all()


def _reviewers(session: Session, flag_ids: list[int]) -> dict[int, list[str]]:
    """Who confirmed each flag since it was last reopened (several under the two-person rule)."""
    found: dict[int, list[str]] = {}
    query = (select(Review.flag_id, Review.decision, User.username).join(User, User.id == Review.reviewer_id)
             .where(Review.flag_id.in_(flag_ids), Review.decision.in_([Decision.CONFIRM, Decision.REOPEN]))
             .order_by(Review.id))
    for flag_id, decision, username in session.execute(query):
        names = found.setdefault(flag_id, [])
        if decision is Decision.REOPEN:
            names.clear()
        elif username not in names:
            names.append(username)
    return found
