"""Store stage: the declarative base, shared column types and the enums every table uses.

The enums are the one definition of each vocabulary (platforms, roles and their groups, phases,
severities, ...); other stages use their members or `.value`s, never string copies. nlp's pure modules
(nlp.rules) may not import models: they take the `.value`s, and a test pins their tables to these enums.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, DateTime, Enum, Integer, MetaData, String, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Stable constraint names, so Alembic batch mode on SQLite and PostgreSQL see the same schema.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps no zone, so naive values are normalised on the way in and tagged UTC on the way out;
    the audit chain hashes these values and needs them identical on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")
# Integer primary keys: BIGINT on PostgreSQL (a million flags a season adds up), INTEGER on SQLite
# (where only INTEGER PRIMARY KEY autoincrements).
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")

intpk = Annotated[int, mapped_column(BigIntPK, primary_key=True)]
timestamp = Annotated[datetime, mapped_column(UTCDateTime())]
created_timestamp = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
str64 = Annotated[str, mapped_column(String(64))]
str255 = Annotated[str, mapped_column(String(255))]
text = Annotated[str, mapped_column(Text)]
sha256_hex = Annotated[str, mapped_column(String(64), comment="SHA-256 of raw_json's UTF-8 bytes, hex")]


def value_enum(enum_cls: type[enum.Enum], length: int = 32) -> Enum:
    """Store an enum by its value in a VARCHAR, so the database reads like the API and the CSVs."""
    return Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        validate_strings=True,
        length=length,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Platform(str, enum.Enum):
    BLUESKY = "bluesky"
    MASTODON = "mastodon"
    YOUTUBE = "youtube"
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    THREADS = "threads"


class PersonRole(str, enum.Enum):
    PNS = "pns"
    PPPK = "pppk"
    KPU = "kpu"
    BAWASLU = "bawaslu"
    PPK = "ppk"
    PPS = "pps"
    KPPS = "kpps"
    PANWASCAM = "panwascam"
    PKD = "pkd"
    PTPS = "ptps"
    CANDIDATE = "candidate"
    PARTY = "party"
    CAMPAIGN = "campaign"
    KEPALA_DESA = "kepala_desa"
    PERANGKAT_DESA = "perangkat_desa"
    TNI = "tni"
    POLRI = "polri"

    @property
    def group(self) -> RoleGroup:
        """Return the RoleGroup: `asn`, `organizer`, `village`, `security` or `candidate` (the contesting side)."""
        if self in (PersonRole.PNS, PersonRole.PPPK):
            return RoleGroup.ASN
        if self in (PersonRole.CANDIDATE, PersonRole.PARTY, PersonRole.CAMPAIGN):
            return RoleGroup.CANDIDATE
        if self in (PersonRole.KEPALA_DESA, PersonRole.PERANGKAT_DESA):
            return RoleGroup.VILLAGE
        if self in (PersonRole.TNI, PersonRole.POLRI):
            return RoleGroup.SECURITY
        return RoleGroup.ORGANIZER

    @property
    def is_monitored(self) -> bool:
        """True for people bound to neutrality: everyone but the contesting side."""
        return self.group is not RoleGroup.CANDIDATE


class RoleGroup(str, enum.Enum):
    """The side of the neutrality rules a PersonRole is on (not stored: derived from the role).

    Each monitored group is bound by its own law (nlp.rules.LEGAL_BASIS, keyed by PersonRole values).
    """

    ASN = "asn"
    ORGANIZER = "organizer"
    VILLAGE = "village"  # village heads and village officials (UU 6/2014)
    SECURITY = "security"  # members of TNI and Polri
    CANDIDATE = "candidate"


class Phase(str, enum.Enum):
    """The election phase a day falls in (ElectionProfile.phase_on); a flag's severity and a crawl job's
    interval depend on it. Not stored in a column: schedules key their intervals by these values."""

    BEFORE = "before"
    CAMPAIGN = "campaign"
    QUIET = "quiet"
    VOTING_DAY = "voting_day"
    AFTER = "after"


class InteractionKind(str, enum.Enum):
    LIKE = "like"
    REPLY = "reply"
    REPOST = "repost"
    QUOTE = "quote"


class AttributionMethod(str, enum.Enum):
    REGISTRY = "registry"
    DETECTION = "detection"
    REVIEWER = "reviewer"


class LinkStatus(str, enum.Enum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Label(str, enum.Enum):
    PARTISAN = "partisan"
    ELECTION_INFO = "election_info"
    OTHER = "other"


class Severity(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class FlagStatus(str, enum.Enum):
    NEW = "new"
    IN_REVIEW = "in_review"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"
    # Taken back: an admin retracted the decision, or the account link the flag rested on was rejected.
    # The flag and its history stay; it no longer counts anywhere.
    WITHDRAWN = "withdrawn"


class Decision(str, enum.Enum):
    CLAIM = "claim"
    RELEASE = "release"
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    ESCALATE = "escalate"
    REOPEN = "reopen"  # an admin reopens a decided case: votes before it no longer count
    RETRACT = "retract"  # an admin (or a rejected account link) withdraws the case


class UserRole(str, enum.Enum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class RunStatus(str, enum.Enum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
