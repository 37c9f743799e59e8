"""Store stage: load the registry CSV of monitored people and their accounts, row by row, all-or-nothing.

One NIP is one person: a file giving one NIP two names or institutions is refused naming both lines,
and a NIP already registered under another name is refused naming that person (never an update). A NIP
Excel rounded (scientific notation, a 000 serial) is refused with how to export it as text.
A handle is a claim, not an identity: a registry row never binds to an account some other source stored
under that handle; it gets its own handle-only account (platform_id NULL) that a crawl's resolution of
the handle binds (models.ingest). A handle already registered to another person is refused.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit import REGISTRY_IMPORT, cli_actor, record_event
from models.base import AttributionMethod, LinkStatus, PersonRole, Platform
from models.registry import AccountLink, Person, nip_problem, person_key
from models.social import Account
from models.textfile import TextFileError, csv_delimiter, inspect_text

COLUMNS = ["name", "role", "institution", "unit", "position", "region", "platform", "handle", "profile_url", "nip"]
REGION_LEVELS = ["region_province", "region_regency", "region_district", "region_village"]
PERSON_FIELDS = ["name", "role", "institution", "unit", "position", *REGION_LEVELS, "nip"]
# The longest value each column holds, read from the models (PostgreSQL refuses longer ones mid-import).
LIMITS = {**{f: Person.__table__.c[f].type.length for f in PERSON_FIELDS if f not in ("role", "nip")},
          "handle": Account.__table__.c.handle.type.length, "profile_url": Account.__table__.c.profile_url.type.length}


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
    encoding: str = "utf-8"

    def summary(self) -> str:
        note = " (read as Windows-1252, not UTF-8)" if self.encoding == "cp1252" else ""
        return (
            f"{self.rows} row(s){note}: {self.people_created} people created, {self.people_updated} updated, "
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
    if platform in PROFILE_HOSTS:
        return _captured_platform_handle(platform, parsed.hostname or "", path, url)
    return path[-1].lstrip("@") if path else None


# Profile URLs of the platforms read from browser captures (crawler.captures) and YouTube:
# https://www.tiktok.com/@handle, https://x.com/handle, https://www.instagram.com/handle,
# https://www.threads.net/@handle, https://www.youtube.com/@handle or /channel/UC...
PROFILE_HOSTS = {
    Platform.TIKTOK: ({"tiktok.com"}, True),
    Platform.X: ({"x.com", "twitter.com", "mobile.x.com", "mobile.twitter.com"}, False),
    Platform.INSTAGRAM: ({"instagram.com"}, False),
    Platform.THREADS: ({"threads.net", "threads.com"}, True),
    Platform.YOUTUBE: ({"youtube.com", "m.youtube.com"}, True),
}
HANDLE_CHARS = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
NOT_PROFILES = {"i", "home", "search", "explore", "p", "reel", "reels", "stories", "hashtag", "intent", "share",
                "watch", "video", "tag", "discover", "accounts", "settings"}
CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")


def _captured_platform_handle(platform: Platform, host: str, path: list[str], url: str) -> str:
    hosts, needs_at = PROFILE_HOSTS[platform]
    host = host.lower().removeprefix("www.")
    example = {Platform.TIKTOK: "https://www.tiktok.com/@handle", Platform.X: "https://x.com/handle",
               Platform.INSTAGRAM: "https://www.instagram.com/handle", Platform.THREADS: "https://www.threads.net/@handle",
               Platform.YOUTUBE: "https://www.youtube.com/@handle or https://www.youtube.com/channel/UC..."}[platform]
    if host not in hosts or not path:
        raise ValueError(f"profile_url {url[:200]!r} is not a {platform.value} profile address (like {example})")
    if platform == Platform.YOUTUBE and path[0] == "channel" and len(path) > 1 and CHANNEL_ID.match(path[1]):
        return path[1]  # the channel id (case matters on YouTube: compare it as stored)
    first = path[0]
    if needs_at and not first.startswith("@"):
        raise ValueError(f"profile_url {url[:200]!r}: the {platform.value} handle follows '@' (like {example})")
    handle = first.removeprefix("@")
    if not HANDLE_CHARS.match(handle) or handle.lower() in NOT_PROFILES:
        raise ValueError(f"profile_url {url[:200]!r} is not a {platform.value} profile address (like {example})")
    return handle


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
    out = {
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
    for name, limit in LIMITS.items():
        if out[name] is not None and len(out[name]) > limit:
            column = "region" if name in REGION_LEVELS else name
            raise ValueError(f"{column} is {len(out[name])} characters long; at most {limit} fit")
    return out


def read_rows(path: Path, info: list | None = None) -> tuple[list[tuple[int, dict]], list[RejectedRow]]:
    """Parse and validate every row; return (line, clean row) pairs and the rejected rows.

    Reads UTF-8 (with or without BOM) or an old Excel's Windows-1252, CRLF or LF, separated by `,`, `;`
    or tab (told from the header); rows whose every cell is empty (Excel's trailing rows) are skipped.
    """
    try:
        text = inspect_text(path, legacy=True)
        if info is not None:
            info.append(text)
        content = path.read_bytes().decode(text.encoding)
        header = content.split("\n", 1)[0].rstrip("\r")
        reader = csv.DictReader(io.StringIO(content, newline=""), delimiter=csv_delimiter(path, header, COLUMNS))
        reader.fieldnames = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    except TextFileError as exc:
        raise RegistryImportError(str(exc)) from None
    missing = [c for c in COLUMNS if c not in reader.fieldnames]
    if missing:
        raise RegistryImportError(f"{path}:1: header lacks column(s): {', '.join(missing)}; "
                                  f"expected: {','.join(COLUMNS)}")
    good, bad = [], []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                bad.append(RejectedRow(line, "more fields than the header has", row))
                continue
            if not any((v or "").strip() for v in row.values()):
                continue
            try:
                good.append((line, validate_row(row)))
            except ValueError as exc:
                bad.append(RejectedRow(line, str(exc), row))
    except csv.Error as exc:
        raise RegistryImportError(f"{path}:{reader.line_num}: not readable as CSV: {exc}") from None
    good, clashes = _same_file_clashes(good)
    return good, sorted(bad + clashes, key=lambda r: r.line)


def _squash(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def _who(name: str, institution: str) -> str:
    return f"{name!r} ({institution})"


def _same_file_clashes(good: list[tuple[int, dict]]) -> tuple[list[tuple[int, dict]], list[RejectedRow]]:
    """Refuse every line of a NIP given two names or institutions, and of a handle given to two people."""
    refused: dict[int, str] = {}
    by_nip: dict[str, list[tuple[int, dict]]] = {}
    by_handle: dict[tuple, list[tuple[int, dict]]] = {}
    for line, clean in good:
        if clean["nip"]:
            by_nip.setdefault(clean["nip"], []).append((line, clean))
        by_handle.setdefault((clean["platform"], clean["handle"]), []).append((line, clean))
    for rows in by_nip.values():
        if len({(_squash(c["name"]), _squash(c["institution"])) for _, c in rows}) > 1:
            for line, _ in rows:
                others = "; ".join(f"line {n}: {_who(c['name'], c['institution'])}" for n, c in rows if n != line)
                refused[line] = (f"NIP also on {others}, with a different name or institution: one NIP is one "
                                 f"person (an Excel-rounded NIP ends in 000; check the NIP column)")
    for (platform, handle), rows in by_handle.items():
        keys = {person_key(c["name"], c["role"].value, c["institution"], c["nip"]) for _, c in rows}
        if len(keys) > 1:
            for line, _ in rows:
                others = "; ".join(f"line {n}: {_who(c['name'], c['institution'])}" for n, c in rows if n != line)
                refused.setdefault(line, f"{platform.value} handle {handle!r} also given on {others}: "
                                         f"one account belongs to one person")
    keep = [(line, clean) for line, clean in good if line not in refused]
    return keep, [RejectedRow(line, reason, _as_row(clean)) for line, clean in good
                  if (reason := refused.get(line))]


def _as_row(clean: dict) -> dict:
    row = {k: clean.get(k) for k in COLUMNS}
    row["role"], row["platform"] = clean["role"].value, clean["platform"].value
    return row


def _source_of(person: Person) -> str:
    for link in person.links:
        if link.method == AttributionMethod.REGISTRY and link.evidence.get("source"):
            return f", imported from {link.evidence['source']} line {link.evidence.get('line')}"
    return ""


def _name_key_people(session: Session, clean: dict) -> list[Person]:
    """People registered with this row's name, role and institution (whatever their NIP)."""
    found = session.scalars(select(Person).where(Person.role == clean["role"],
                                                 func.lower(Person.name) == clean["name"].lower())).all()
    return [p for p in found if _squash(p.institution) == _squash(clean["institution"])]


def _existing_person(session: Session, clean: dict) -> Person | None:
    """The registered person this row is, by NIP, else by name + role + institution (adopting a first NIP)."""
    key = person_key(clean["name"], clean["role"].value, clean["institution"], clean["nip"])
    person = session.scalar(select(Person).where(Person.person_key == key))
    if person is None and clean["nip"]:
        name_key = person_key(clean["name"], clean["role"].value, clean["institution"], None)
        person = session.scalar(select(Person).where(Person.person_key == name_key, Person.nip.is_(None)))
    return person


def _conflict(session: Session, clean: dict) -> str | None:
    """Why this row contradicts the registry (an admin must decide), or None."""
    if clean["nip"]:
        holder = session.scalar(select(Person).where(Person.nip == clean["nip"]))
        if holder is not None and _squash(holder.name) != _squash(clean["name"]):
            return (f"NIP is already registered to {_who(holder.name, holder.institution)}, person #{holder.id}"
                    f"{_source_of(holder)}; this row names {clean['name']!r}: refused, not merged (an admin "
                    f"must decide which is right; an Excel-rounded NIP ends in 000)")
    else:
        with_nip = [p for p in _name_key_people(session, clean) if p.nip]
        if with_nip:
            p = with_nip[0]
            return (f"{_who(p.name, p.institution)} is registered with a NIP (person #{p.id}{_source_of(p)}); "
                    f"give the NIP on this row too, or it would register a second person")
    person = _existing_person(session, clean)
    same = Account.handle == clean["handle"]
    if clean["platform"] == Platform.MASTODON and "@" not in clean["handle"]:
        same = same | Account.handle.startswith(clean["handle"] + "@", autoescape=True)
    query = select(Person).join(AccountLink, AccountLink.person_id == Person.id).join(
        Account, Account.id == AccountLink.account_id).where(
        Account.platform == clean["platform"], AccountLink.method == AttributionMethod.REGISTRY,
        AccountLink.status != LinkStatus.REJECTED)
    for other in session.scalars(query.where(same)).all():
        if person is None or other.id != person.id:
            return (f"{clean['platform'].value} handle {clean['handle']!r} is already registered to "
                    f"{_who(other.name, other.institution)}, person #{other.id}{_source_of(other)}: one account "
                    f"belongs to one person (an admin must decide)")
    return None


def check_against_registry(session: Session, good: list[tuple[int, dict]]
                           ) -> tuple[list[tuple[int, dict]], list[RejectedRow]]:
    """Split rows into those that agree with the stored registry and those an admin must look at."""
    keep, refused = [], []
    for line, clean in good:
        reason = _conflict(session, clean)
        if reason:
            refused.append(RejectedRow(line, reason, _as_row(clean)))
        else:
            keep.append((line, clean))
    return keep, refused


def _upsert_person(session: Session, clean: dict, report: ImportReport) -> tuple[Person, bool]:
    key = person_key(clean["name"], clean["role"].value, clean["institution"], clean["nip"])
    person = _existing_person(session, clean)
    values = {f: clean[f] for f in PERSON_FIELDS} | {"person_key": key}
    if person is None:
        person = Person(**values)
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
    """The person's account for this handle: theirs already, else a handle-only one a crawl will resolve.

    Never an account another source stored under this handle: a handle is a claim (see models.ingest).
    """
    account = next(
        (link.account for link in person.links
         if link.account.platform == clean["platform"] and _same_handle(clean["handle"], link.account.handle)),
        None,
    ) or session.scalar(
        select(Account).where(Account.platform == clean["platform"], Account.handle == clean["handle"],
                              Account.platform_id.is_(None)).limit(1)
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
    written. With accept_valid, good rows are written and bad ones returned in the report. Rows that
    contradict the registry (a NIP or handle registered to someone else) are bad rows, never updates.
    """
    path = Path(path)
    info: list = []
    good, bad = read_rows(path, info)
    good, conflicts = check_against_registry(session, good)
    bad = sorted(bad + conflicts, key=lambda r: r.line)
    report = ImportReport(rows=len(good) + len(bad), rejected=bad, encoding=info[0].encoding)
    if bad and not accept_valid:
        raise RegistryImportError(f"{path}: {len(bad)} bad row(s); nothing imported", bad)
    apply_rows(session, good, path.name, report)
    record_event(
        session, actor or cli_actor(), REGISTRY_IMPORT, "registry", path.name,
        {k: v for k, v in vars(report).items() if k not in ("rejected", "encoding")} | {"rejected": len(bad)},
    )
    return report
