"""Store stage: the election profile (one election's calendar, candidates, parties and official accounts).

Shared by the crawler (whose accounts to start from), the classifier (names to mask and match) and the
flag rules (which phase raises severity). Loaded from YAML and validated; errors name the bad field.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.base import Phase, Platform


class ProfileError(ValueError):
    """The profile file is missing, unreadable or invalid; the message names the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class Election(_Strict):
    name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    voting_day: date
    campaign_period: Period
    quiet_period: Period
    level: str | None = Field(default=None, description="e.g. gubernur, bupati, walikota")
    timezone: str = "Asia/Jakarta"

    @model_validator(mode="after")
    def _calendar(self) -> Election:
        if not self.campaign_period.end < self.quiet_period.start:
            raise ValueError("quiet_period must start after campaign_period ends")
        if not self.quiet_period.end < self.voting_day:
            raise ValueError("voting_day must come after quiet_period")
        return self


class AccountRef(_Strict):
    platform: Platform
    handle: str = Field(min_length=1)

    @field_validator("handle")
    @classmethod
    def _strip_at(cls, handle: str) -> str:
        return handle.strip().lstrip("@").lower()


class Candidate(_Strict):
    number: int = Field(ge=1, le=99, description="Ballot number (nomor urut)")
    names: list[str] = Field(min_length=1)
    aliases: list[str] = []
    parties: list[str] = []
    hashtags: list[str] = []
    accounts: list[AccountRef] = []


class Organization(_Strict):
    """A neutral official account (KPU, Bawaslu, the regional government) whose posts are election info."""

    name: str
    accounts: list[AccountRef] = []


class ElectionProfile(_Strict):
    election: Election
    candidates: list[Candidate] = Field(min_length=1)
    official_accounts: list[Organization] = []

    @model_validator(mode="after")
    def _unique_numbers(self) -> ElectionProfile:
        numbers = [c.number for c in self.candidates]
        if len(numbers) != len(set(numbers)):
            raise ValueError("candidates: ballot numbers must be unique")
        return self

    def phase_on(self, day: date) -> Phase:
        """Return the election phase a day falls in; severity of a flag depends on it."""
        e = self.election
        if day == e.voting_day:
            return Phase.VOTING_DAY
        if e.quiet_period.contains(day):
            return Phase.QUIET
        if e.campaign_period.contains(day):
            return Phase.CAMPAIGN
        return Phase.BEFORE if day < e.campaign_period.start else Phase.AFTER

    def candidate_accounts(self, platform: Platform | str | None = None) -> list[AccountRef]:
        """Return the candidates' official campaign accounts, optionally on one platform only."""
        refs = [a for c in self.candidates for a in c.accounts]
        return [a for a in refs if platform is None or a.platform == Platform(platform)]

    def summary(self) -> str:
        e = self.election
        lines = [
            f"{e.name} ({e.region}), voting day {e.voting_day}",
            f"campaign {e.campaign_period.start}..{e.campaign_period.end}, "
            f"quiet {e.quiet_period.start}..{e.quiet_period.end}",
        ]
        for c in self.candidates:
            lines.append(
                f"  {c.number:02d}: {' & '.join(c.names)}; parties: {', '.join(c.parties) or '-'}; "
                f"{len(c.accounts)} account(s)"
            )
        return "\n".join(lines)


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_profile(data: object) -> ElectionProfile:
    """Validate an already-parsed profile mapping."""
    try:
        return ElectionProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(_describe(exc)) from None


def load_profile(path: str | Path) -> ElectionProfile:
    """Read and validate a profile YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from None
    try:
        return parse_profile(data)
    except ProfileError as exc:
        raise ProfileError(f"{path}: {exc}") from None
