"""Store stage: load the registry CSV of monitored people and their accounts, row by row, all-or-nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import REGISTRY_IMPORT, cli_actor, record_event
from models.base import AttributionMethod, LinkStatus, PersonRole, Platform
from models.registry import AccountLink, Person, nip_problem, person_key
from models.social import Account

COLUMNS = ["name", "role", "institution", "unit", "position", "region", "platform", "handle", "profile_url", "nip"]
REGION_LEVELS = ["region_province", "region_regency", "region_district", "region_village"]
PERSON_FIELDS = ["name", "role", "institution", "unit", "position", *REGION_LEVELS, "nip"]


class RegistryImportError(ValueError):
    """The file as a whole cannot be imported (unreadable, wrong header, or bad rows in strict mode)."""

    def __init__(self, message: str, rejected: list[RejectedRow] | None = None):
        super().__init__(message)
        self.rejected = rejected or []


@dataclass
class RejectedRow:
    line: int
    reason: str
    row: dict


@dataclass
class ImportReport:
    rows: int = 0
    people_created: int = 0
    people_updated: int = 0
    accounts_created: int = 0
    links_created: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.rows} row(s): {self.people_created} people created, {self.people_updated} updated, "
            f"{self.accounts_created} accounts created, {self.links_created} links created, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


def split_region(region: str) -> dict[str, str | None]:
    """Split 'Province / Regency / District / Village' (also '>' or ';') into the four region levels."""
    for sep in (">", ";"):
        region = region.replace(sep, "/")
    parts = [p.strip() for p in region.split("/") if p.strip()]
    if len(parts) > len(REGION_LEVELS):
        raise ValueError(f"region has {len(parts)} levels; at most 4 (province / regency / district / village)")
    values = parts + [None] * (len(REGION_LEVELS) - len(parts))
    return dict(zip(REGION_LEVELS, values, strict=True))


def handle_from_url(platform: Platform, url: str) -> str | None:
    """Derive a handle from a profile URL (bsky.app/profile/HANDLE, https://instance/@user)."""
    parsed = urlparse(url)
    path = [p for p in parsed.path.split("/") if p]
    if platform == Platform.BLUESKY and len(path) >= 2 and path[0] == "profile":
        return path[1]
    if platform == Platform.MASTODON and path and path[0].startswith("@"):
        user = path[0][1:]
        return user if "@" in user else f"{user}@{parsed.hostname}"
    return path[-1].lstrip("@") if path else None


def normalize_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def validate_row(row: dict[str, str]) -> dict:
    """Return the cleaned row, or raise ValueError with the reason it is rejected."""
    clean = {k: (row.get(k) or "").strip() for k in COLUMNS}
    if not clean["name"]:
        raise ValueError("name is missing")
    try:
        role = PersonRole(clean["role"])
    except ValueError:
        known = ", ".join(r.value for r in PersonRole)
        raise ValueError(f"unknown role {clean['role']!r} (expected one of: {known})") from None
    if not clean["institution"]:
        raise ValueError("institution is missing")
    try:
        platform = Platform(clean["platform"])
    except ValueError:
        known = ", ".join(p.value for p in Platform)
        raise ValueError(f"unknown platform {clean['platform']!r} (expected one of: {known})") from None
    handle = clean["handle"] or (handle_from_url(platform, clean["profile_url"]) if clean["profile_url"] else None)
    if not handle:
        raise ValueError("handle or profile_url must be given")
    if clean["nip"]:
        problem = nip_problem(clean["nip"])
        if problem:
            raise ValueError(f"malformed NIP: {problem}")
    return {
        "name": " ".join(clean["name"].split()),
        "role": role,
        "institution": clean["institution"],
        "unit": clean["unit"] or None,
        "position": clean["position"] or None,
        **split_region(clean["region"]),
        "nip": clean["nip"] or None,
        "platform": platform,
        "handle": normalize_handle(handle),
        "profile_url": clean["profile_url"] or None,
    }


def read_rows(path: Path) -> tuple[list[tuple[int, dict]], list[RejectedRow]]:
    """Parse and validate every row; return (line, clean row) pairs and the rejected rows."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RegistryImportError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RegistryImportError(f"{path}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(content))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RegistryImportError(f"{path}: header lacks column(s): {', '.join(missing)}; "
                                  f"expected: {','.join(COLUMNS)}")
    good, bad = [], []
    for row in reader:
        line = reader.line_num
        if None in row:
            bad.append(RejectedRow(line, "more fields than the header has", row))
            continue
        try:
            good.append((line, validate_row(row)))
        except ValueError as exc:
            bad.append(RejectedRow(line, str(exc), row))
    return good, bad


def _upsert_person(session: Session, clean: dict, report: ImportReport) -> tuple[Person, bool]:
    key = person_key(clean["name"], clean["role"].value, clean["institution"], clean["nip"])
    person = session.scalar(select(Person).where(Person.person_key == key))
    values = {f: clean[f] for f in PERSON_FIELDS}
    if person is None:
        person = Person(person_key=key, **values)
        session.add(person)
        session.flush()
        report.people_created += 1
        return person, True
    changed = False
    for name, value in values.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    if changed:
        report.people_updated += 1
    return person, changed


def _same_handle(registered: str, stored: str | None) -> bool:
    """A bare Mastodon username in the registry matches the full acct (user@host) a crawl stored."""
    return stored is not None and (stored == registered or stored.startswith(registered + "@"))


def _upsert_account(session: Session, person: Person, clean: dict, report: ImportReport) -> tuple[Account, bool]:
    account = next(
        (link.account for link in person.links
         if link.account.platform == clean["platform"] and _same_handle(clean["handle"], link.account.handle)),
        None,
    ) or session.scalar(
        select(Account).where(Account.platform == clean["platform"], Account.handle == clean["handle"]).limit(1)
    )
    if account is None:
        account = Account(platform=clean["platform"], handle=clean["handle"], profile_url=clean["profile_url"])
        session.add(account)
        session.flush()
        report.accounts_created += 1
        return account, True
    if clean["profile_url"] and not account.profile_url:
        account.profile_url = clean["profile_url"]
        return account, True
    return account, False


def apply_rows(session: Session, rows: list[tuple[int, dict]], source: str, report: ImportReport) -> None:
    """Write validated rows: people by natural key, accounts by handle, registry links (confirmed)."""
    for line, clean in rows:
        person, person_changed = _upsert_person(session, clean, report)
        account, account_changed = _upsert_account(session, person, clean, report)
        link = session.scalar(
            select(AccountLink).where(AccountLink.person_id == person.id, AccountLink.account_id == account.id)
        )
        if link is None:
            session.add(
                AccountLink(
                    person_id=person.id,
                    account_id=account.id,
                    method=AttributionMethod.REGISTRY,
                    status=LinkStatus.CONFIRMED,
                    confidence=1.0,
                    evidence={"source": source, "line": line},
                )
            )
            report.links_created += 1
        elif not (person_changed or account_changed):
            report.unchanged += 1


def write_rejects(rejected: list[RejectedRow], path: Path) -> None:
    """Write rejected rows with their line number and reason, ready to fix and re-import."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["line", "reason", *COLUMNS], extrasaction="ignore")
        writer.writeheader()
        for bad in rejected:
            writer.writerow({"line": bad.line, "reason": bad.reason, **{k: bad.row.get(k) for k in COLUMNS}})


def import_registry(session: Session, path: str | Path, accept_valid: bool = False,
                    actor: str | None = None) -> ImportReport:
    """Import a registry CSV in the caller's transaction; `actor` defaults to the command's (cli:<OS user>).

    Strict by default: any bad row raises RegistryImportError (listing every bad row) before anything is
    written. With accept_valid, good rows are written and bad ones returned in the report.
    """
    path = Path(path)
    good, bad = read_rows(path)
    report = ImportReport(rows=len(good) + len(bad), rejected=bad)
    if bad and not accept_valid:
        raise RegistryImportError(f"{path}: {len(bad)} bad row(s); nothing imported", bad)
    apply_rows(session, good, path.name, report)
    record_event(
        session, actor or cli_actor(), REGISTRY_IMPORT, "registry", path.name,
        {k: v for k, v in vars(report).items() if k != "rejected"} | {"rejected": len(bad)},
    )
    return report
