"""Store stage: the election profile (one election's calendar, candidates, parties and official accounts).

Shared by the crawler (whose accounts to start from), the classifier (names to mask and match) and the
flag rules (which phase raises severity). Loaded from YAML and validated; errors name the bad field.
A profile is small: files over MAX_BYTES, text that is not UTF-8, nesting deeper than MAX_DEPTH and YAML
aliases are refused before the YAML is built (each a ProfileError naming the file and line).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from yaml.constructor import SafeConstructor

from models.base import Phase, Platform

MAX_BYTES = 1_000_000  # the example is 2 kB; a profile with a hundred candidates stays far below
MAX_DEPTH = 20  # the schema nests 5 deep


class ProfileError(ValueError):
    """The profile file is missing, unreadable or invalid; the message names the field."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves an impossible date (2024-02-30) as text, for the schema to name its field."""

    def construct_yaml_timestamp(self, node):
        try:
            return SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _check_shape(path: Path, text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and aliases, reading events (the parser does not recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ProfileError(f"{path}:{event.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep; "
                                   f"a profile is a few levels of lists and mappings")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            raise ProfileError(f"{path}:{event.start_mark.line + 1}: YAML aliases (*name) are not allowed in a "
                               f"profile; write the value out")


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ProfileError(f"{path}: {size:,} bytes; a profile is at most {MAX_BYTES:,} bytes "
                               f"(is this the right file?)")
        data = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ProfileError(f"{path}:{line}: not UTF-8 text: byte 0x{data[exc.start]:02X} at column {column}; "
                           f"save the file as UTF-8") from None


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
    text = _read_text(path)
    try:
        _check_shape(path, text)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: builds plain data only
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML: {exc}") from None
    except (ValueError, RecursionError) as exc:  # ProfileError is a ValueError; none other is expected
        if isinstance(exc, ProfileError):
            raise
        raise ProfileError(f"{path}: not a valid profile: {exc}") from None
    try:
        return parse_profile(data)
    except ProfileError as exc:
        raise ProfileError(f"{path}: {exc}") from None
