"""Review stage, exports: what a compliance summary contains, read in constant memory.

Counts are aggregated by the database. Confirmed cases are read in keyset batches of BATCH flags
(never all at once), each batch with one query for its reviewers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

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
        # The queue's filter builds the same conditions; every status counts in a summary.
        return queue_conditions(QueueFilter(status="", **self.describe()))

    def describe(self) -> dict:
        return {k.name: getattr(self, k.name) for k in fields(self) if getattr(self, k.name)}


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
    """Who confirmed each flag (several under the two-person rule)."""
    found: dict[int, list[str]] = {}
    query = (select(Review.flag_id, User.username).join(User, User.id == Review.reviewer_id)
             .where(Review.flag_id.in_(flag_ids), Review.decision == Decision.CONFIRM).order_by(Review.id))
    for flag_id, username in session.execute(query):
        if username not in found.setdefault(flag_id, []):
            found[flag_id].append(username)
    return found
