"""Store stage: the registry of monitored people and how each account was attributed to them."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import (
    AttributionMethod,
    Base,
    JSONType,
    LinkStatus,
    PersonRole,
    UTCDateTime,
    created_timestamp,
    intpk,
    utcnow,
    value_enum,
)

NIP_PATTERN = re.compile(r"^\d{18}$")
# What Excel writes for a number it shows in scientific notation: 1.98503E+17, 1,98503E+17 (Indonesian locale).
SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d*)?[eE][+-]?\d+$")
EXCEL_HINT = ("Excel keeps only 15 significant digits of a number: "
              "format the NIP column as Text (select it, Format Cells > Text) before typing or pasting the NIPs, "
              "or import the source file with that column set to Text, then save as CSV UTF-8")


def nip_problem(nip: str) -> str | None:
    """Return why a NIP (civil-servant number) is malformed, or None when it is well formed.

    A NIP is 18 digits: birth date YYYYMMDD, appointment YYYYMM, gender (1 or 2), sequence (3 digits).
    """
    if SCIENTIFIC.match(nip.strip()):
        return f"NIP is in Excel's scientific notation ({nip.strip()}): its last digits are lost. {EXCEL_HINT}"
    if not NIP_PATTERN.match(nip):
        return "NIP must be exactly 18 digits"
    if nip.endswith("000"):
        # The serial number (digits 16-18) starts at 001: 000 is what rounding to 15 digits leaves.
        return ("NIP ends in 000, which no NIP does (digits 16-18 are a serial from 001): it looks rounded. "
                + EXCEL_HINT)
    try:
        date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return "NIP digits 1-8 must be a valid birth date (YYYYMMDD)"
    if not 1 <= int(nip[12:14]) <= 12:
        return "NIP digits 9-14 must be an appointment year and month (YYYYMM)"
    if nip[14] not in "12":
        return "NIP digit 15 (gender) must be 1 or 2"
    return None


def person_key(name: str, role: str, institution: str, nip: str | None) -> str:
    """Return the natural key that makes registry imports idempotent: the NIP, else name+role+institution."""
    if nip:
        return f"nip:{nip}"
    squash = lambda s: " ".join(s.lower().split())
    return f"name:{squash(name)}|{role}|{squash(institution)}"


class Person(Base):
    """A monitored person (ASN or election organizer), or someone on the contesting side."""

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_institution", "institution"),
        Index("ix_person_region", "region_province", "region_regency"),
    )

    id: Mapped[intpk]
    person_key: Mapped[str] = mapped_column(String(600), unique=True,
                                            comment="Natural key: NIP or name|role|institution")
    name: Mapped[str] = mapped_column(String(255))
    role: Mapped[PersonRole] = mapped_column(value_enum(PersonRole, 16))
    institution: Mapped[str] = mapped_column(String(255), comment="Instansi: the employing body")
    unit: Mapped[str | None] = mapped_column(String(255), comment="Unit kerja within the institution")
    position: Mapped[str | None] = mapped_column(String(255), comment="Jabatan")
    region_province: Mapped[str | None] = mapped_column(String(255))
    region_regency: Mapped[str | None] = mapped_column(String(255), comment="Kabupaten or kota")
    region_district: Mapped[str | None] = mapped_column(String(255), comment="Kecamatan")
    region_village: Mapped[str | None] = mapped_column(String(255), comment="Desa or kelurahan")
    nip: Mapped[str | None] = mapped_column(String(18), unique=True, comment="Sensitive: never exported unless asked")
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    links: Mapped[list[AccountLink]] = relationship(back_populates="person")

    @validates("nip")
    def _check_nip(self, _key: str, nip: str | None) -> str | None:
        if nip:
            problem = nip_problem(nip)
            if problem:
                raise ValueError(problem)
        return nip or None

    @property
    def region(self) -> str:
        """The region path, broadest first, as written in the registry CSV."""
        parts = [self.region_province, self.region_regency, self.region_district, self.region_village]
        return " / ".join(p for p in parts if p)


class AccountLink(Base):
    """The claim that an account belongs to a person, with how it was made and on what evidence."""

    __tablename__ = "account_link"
    __table_args__ = (
        UniqueConstraint("person_id", "account_id"),
        Index("ix_account_link_account", "account_id", "status"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    method: Mapped[AttributionMethod] = mapped_column(value_enum(AttributionMethod, 16))
    status: Mapped[LinkStatus] = mapped_column(
        value_enum(LinkStatus, 16),
        default=LinkStatus.CONFIRMED,
        comment="Registry links are confirmed; detections stay suggested until a reviewer confirms",
    )
    confidence: Mapped[float] = mapped_column(Float, default=1.0)
    evidence: Mapped[dict] = mapped_column(JSONType, default=dict, comment="Source file and line, or detected spans")
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(255), comment="Username that confirmed or rejected")
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    person: Mapped[Person] = relationship(back_populates="links")
    account: Mapped[Account] = relationship(back_populates="links")  # noqa: F821
