"""Store stage: bind a registry handle to the platform account it names, only on proof.

A handle is a claim, not an identity. The registry import gives each registered handle its own account
row with no platform id (a placeholder); what binds it to a platform account is one of three proofs:
- "crawl": a crawl's resolution of the handle by the platform (Bluesky getProfile handle -> DID, Mastodon
  accounts/lookup), or the handle the platform lists for an account it sends (models.ingest does this);
- "capture": a browser capture of the platform's own response (Zeeschuimer), uploaded by a reviewer: the
  handle and the stable id both come from the platform's object (bind_from_capture; crawler.captures);
- "admin": an administrator's decision (bind_by_admin), e.g. after two accounts claimed one handle.
Rows of `netral import` (data collected elsewhere) are no proof: that importer never binds.

Two accounts claiming one registry handle bind neither: the registry link stays on the placeholder with
`handle_claims` in its evidence, each claimant gets a `suggested` link (method detection, which never
flags anyone) that the registry screen lists for an admin, and later claims wait for the admin too.
Every binding writes its proof into the evidence of the links it moves.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.audit import record_event
from models.base import AttributionMethod, LinkStatus, Platform, utcnow
from models.registry import AccountLink
from models.social import Account

A, L = Account.__table__, AccountLink.__table__
PROOFS = ("crawl", "capture", "admin")
CLAIM_NOTE = "Two accounts claim the registry handle {handle!r}: an admin must decide which one is this person's"


def proof(kind: str, handle: str, at: datetime | None = None, **detail) -> dict:
    """The evidence of one binding (kind is one of PROOFS)."""
    if kind not in PROOFS:
        raise ValueError(f"unknown proof {kind!r} (expected one of: {', '.join(PROOFS)})")
    return {"proof": kind, "handle": handle, "at": (at or utcnow()).isoformat(), **detail}


def contested(conn: Connection, placeholder_id: int) -> list[str]:
    """The platform ids that claimed this placeholder's handle, when more than one did (else [])."""
    claims: set[str] = set()
    for (evidence,) in conn.execute(select(L.c.evidence).where(L.c.account_id == placeholder_id)):
        claims.update((evidence or {}).get("handle_claims") or [])
    return sorted(claims)


def bind(conn: Connection, placeholder_id: int, platform_id: str, handle: str | None, why: dict) -> int:
    """Bind a placeholder to the account with platform_id; return that account's id.

    The placeholder takes the platform id when no account has it yet; otherwise its registry links move to
    the existing account (a link the person already has there is kept) and the empty placeholder goes.
    """
    platform = conn.execute(select(A.c.platform).where(A.c.id == placeholder_id)).scalar_one()
    target = conn.execute(select(A.c.id).where(A.c.platform == platform, A.c.platform_id == platform_id)).scalar()
    links = conn.execute(select(L.c.id, L.c.person_id, L.c.evidence).where(L.c.account_id == placeholder_id)).all()
    if target is None:
        values = {"platform_id": platform_id, **({"handle": handle} if handle else {})}
        conn.execute(update(A).where(A.c.id == placeholder_id).values(**values))
        target = placeholder_id
    for link_id, person_id, evidence in links:
        ev = {k: v for k, v in (evidence or {}).items() if k != "handle_claims"} | {"bound": why}
        if target != placeholder_id and conn.execute(select(L.c.id).where(
                L.c.person_id == person_id, L.c.account_id == target)).first():
            conn.execute(update(L).where(L.c.person_id == person_id, L.c.account_id == target,
                                         L.c.method != AttributionMethod.REGISTRY)
                         .values(method=AttributionMethod.REGISTRY, status=LinkStatus.CONFIRMED, evidence=ev))
            conn.execute(delete(L).where(L.c.id == link_id))
        else:
            conn.execute(update(L).where(L.c.id == link_id).values(account_id=target, evidence=ev))
    if target != placeholder_id:
        conn.execute(delete(A).where(A.c.id == placeholder_id))
    return target


def note_claims(conn: Connection, placeholder_id: int, claims: list[str]) -> None:
    """Record on the placeholder's registry links that several accounts claimed its handle."""
    for link_id, evidence in conn.execute(select(L.c.id, L.c.evidence).where(L.c.account_id == placeholder_id)).all():
        known = set((evidence or {}).get("handle_claims") or [])
        if not set(claims) <= known:
            conn.execute(update(L).where(L.c.id == link_id).values(
                evidence={**(evidence or {}), "handle_claims": sorted(known | set(claims))}))


def suggest(conn: Connection, insert, person_id: int, account_id: int, handle: str, claims: list[str],
            why: dict) -> None:
    """Give a claimant account a suggested link to the person for an admin (never a flag by itself)."""
    stmt = insert(L).values(
        person_id=person_id, account_id=account_id, method=AttributionMethod.DETECTION,
        status=LinkStatus.SUGGESTED, confidence=0.5, note=CLAIM_NOTE.format(handle=handle),
        evidence={"reason": "handle_claim", "handle": handle, "claims": sorted(set(claims)), "seen": why},
        created_at=utcnow(), updated_at=utcnow())
    conn.execute(stmt.on_conflict_do_nothing(index_elements=[L.c.person_id, L.c.account_id]))


def bind_by_admin(session: Session, placeholder_id: int, account_id: int, admin: str, note: str = "") -> int:
    """An admin binds a registry handle (its placeholder account) to the account they checked is the person's.

    The other claimants' suggested links for the same people are rejected; the decision is audited.
    """
    conn = session.connection()
    row = conn.execute(select(A.c.platform_id, A.c.handle).where(A.c.id == account_id)).one()
    handle = conn.execute(select(A.c.handle).where(A.c.id == placeholder_id)).scalar_one()
    people = list(conn.execute(select(L.c.person_id).where(L.c.account_id == placeholder_id)).scalars())
    target = bind(conn, placeholder_id, row.platform_id, row.handle, proof("admin", handle, by=admin, note=note))
    conn.execute(update(L).where(L.c.person_id.in_(people), L.c.account_id != target,
                                 L.c.status == LinkStatus.SUGGESTED, L.c.method == AttributionMethod.DETECTION)
                 .values(status=LinkStatus.REJECTED, decided_by=admin))
    conn.execute(update(L).where(L.c.person_id.in_(people), L.c.account_id == target)
                 .values(status=LinkStatus.CONFIRMED, decided_by=admin))
    record_event(session, admin, "registry.link.bind", "account", target,
                 {"placeholder": placeholder_id, "people": people, "handle": handle})
    return target


def bind_from_capture(session: Session, platform: str, handle: str, captures: dict[str, dict], uploader: str,
                      run_id: int | None = None, file_sha256: str | None = None) -> int:
    """Bind a registry handle on the word of browser captures; return how many placeholders were bound.

    captures: the platform ids the platform's own responses showed under this handle, each with the
    capture that showed it ({"sha256": of the captured line, "line", "page", "captured_at"}); the accounts
    are stored already (crawler.captures.zeeschuimer). The proof names the capture and its uploader.
    - One id and a registry placeholder for the handle: bound (unless it is registered to someone else).
    - Several ids for the handle: none bound; the claims are noted and each claimant is suggested to an admin.
    - The handle's registry account already has a stable id and a capture shows another: suggested to an
      admin, the link does not move. A display name is never used.
    """
    conn = session.connection()
    handle = handle.lower()
    why = {pid: proof("capture", handle, uploader=uploader, run_id=run_id, file_sha256=file_sha256, **capture)
           for pid, capture in captures.items()}
    ids = dict(conn.execute(select(A.c.platform_id, A.c.id).where(
        A.c.platform == Platform(platform), A.c.platform_id.in_(list(captures)))).all())
    insert = _dialect_insert(conn)
    bound = 0
    placeholders = conn.execute(select(A.c.id).where(
        A.c.platform == Platform(platform), A.c.platform_id.is_(None), A.c.handle == handle).order_by(A.c.id))
    for placeholder_id in placeholders.scalars().all():
        people = list(conn.execute(select(L.c.person_id).where(L.c.account_id == placeholder_id)).scalars())
        earlier = contested(conn, placeholder_id)
        if len(captures) == 1 and not earlier and not _held_by_another(conn, platform, list(captures), people):
            (pid,) = captures
            bind(conn, placeholder_id, pid, handle, why[pid])
            bound += 1
            continue
        every = sorted(set(earlier) | set(captures))
        note_claims(conn, placeholder_id, every)
        for person in people:
            for pid in sorted(captures):
                if pid in ids:
                    suggest(conn, insert, person, ids[pid], handle, every, why[pid])
    # The handle's registry account has a stable id already: another id is a second claim, for an admin.
    for person_id, bound_to in conn.execute(select(L.c.person_id, A.c.platform_id).join(A, A.c.id == L.c.account_id)
                                            .where(A.c.platform == Platform(platform), A.c.handle == handle,
                                                   A.c.platform_id.is_not(None),
                                                   A.c.platform_id.not_in(list(captures)),
                                                   L.c.method == AttributionMethod.REGISTRY,
                                                   L.c.status != LinkStatus.REJECTED)).all():
        for pid in sorted(captures):
            if pid in ids:
                suggest(conn, insert, person_id, ids[pid], handle, sorted({bound_to, pid}), why[pid])
    return bound


def registry_handles(conn: Connection, platform: str, handles: list[str]) -> set[str]:
    """Those of the handles that name a registry account (a placeholder, or an account with a registry link):
    the only ones bind_from_capture has anything to do for. One query per 500 handles."""
    found: set[str] = set()
    registered = select(L.c.id).where(L.c.account_id == A.c.id, L.c.method == AttributionMethod.REGISTRY).exists()
    for start in range(0, len(handles), 500):
        part = [h.lower() for h in handles[start:start + 500]]
        found.update(conn.execute(select(A.c.handle).where(
            A.c.platform == Platform(platform), A.c.handle.in_(part),
            A.c.platform_id.is_(None) | registered).distinct()).scalars())
    return found


def _held_by_another(conn: Connection, platform: str, platform_ids: list[str], people: list[int]) -> bool:
    """Whether the claimant account is already registered to someone else (one account, one person)."""
    return conn.execute(select(L.c.id).join(A, A.c.id == L.c.account_id).where(
        A.c.platform == Platform(platform), A.c.platform_id.in_(platform_ids),
        L.c.method == AttributionMethod.REGISTRY, L.c.status != LinkStatus.REJECTED,
        L.c.person_id.not_in(people)).limit(1)).first() is not None


def _dialect_insert(conn: Connection):
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
