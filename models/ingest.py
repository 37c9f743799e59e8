"""Store stage: batched, idempotent upserts of crawled accounts, posts and interactions, removals, crawl runs.

The crawler's store pipeline and `netral import` both write through `Ingestor`, so an imported row and a
crawled item are stored the same way. A batch is one transaction: a crash loses at most the open batch,
and re-running the crawl completes it, because every write is an INSERT ... ON CONFLICT on the natural key.
Rows are never deleted: what a complete listing no longer shows gets `removed_at`.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models.base import InteractionKind, Platform, RunStatus, utcnow
from models.evidence import sha256_text
from models.jobs import CrawlRun
from models.session import immediate
from models.social import Account, Interaction, Post

CHUNK = 500  # keys per IN (...) list; far below SQLite's and PostgreSQL's parameter limits
CACHE_LIMIT = 50_000  # ids remembered between batches; bounded so memory stays flat on long crawls

A, P, I = Account.__table__, Post.__table__, Interaction.__table__  # noqa: E741


class AccountLike(Protocol):
    platform: str
    platform_id: str
    handle: str | None
    display_name: str | None
    bio: str | None
    profile_url: str | None
    lookup_handle: str | None


def _insert(engine: Engine, table):
    """Return the dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    return (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(table)


def _chunks(seq: list, size: int = CHUNK):
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


class Ingestor:
    """Collect items into a batch and write it in one transaction with Core executemany upserts."""

    def __init__(self, engine: Engine, run_id: int | None = None, run_started_at: datetime | None = None,
                 batch_size: int = 500):
        self.engine = engine
        self.run_id = run_id
        self.run_started_at = run_started_at or utcnow()
        self.batch_size = batch_size
        self._account_ids: dict[tuple[str, str], int] = {}
        self._post_ids: dict[tuple[str, str], int] = {}
        self._reset()

    def _reset(self) -> None:
        self.accounts: dict[tuple[str, str], AccountLike] = {}
        self.posts: dict[tuple[str, str], Any] = {}
        self.interactions: dict[tuple, Any] = {}
        self.scopes: list[Any] = []

    @property
    def pending(self) -> int:
        return len(self.posts) + len(self.interactions) + len(self.scopes) + len(self.accounts)

    @property
    def full(self) -> bool:
        return len(self.posts) + len(self.interactions) >= self.batch_size

    def add_account(self, account: AccountLike) -> None:
        key = (account.platform, account.platform_id)
        known = self.accounts.get(key)
        # Keep the richest view of the account seen in this batch (likers come without a bio).
        if known is None or (account.bio is not None and known.bio is None) or account.lookup_handle:
            self.accounts[key] = account

    def add_post(self, post: Any) -> None:
        self.add_account(post.author)
        key = (post.platform, post.platform_id)
        known = self.posts.get(key)
        if known is None or (known.reply_to_platform_id is None and post.reply_to_platform_id):
            self.posts[key] = post  # a Mastodon reply learns its parent's URI after a second request

    def add_interaction(self, inter: Any) -> None:
        self.add_account(inter.actor)
        key = (inter.platform, inter.kind, inter.actor.platform_id, inter.target_platform_id, inter.instance_key)
        self.interactions.setdefault(key, inter)

    def add_scope(self, scope: Any) -> None:
        self.scopes.append(scope)

    # -- writing ---------------------------------------------------------------------------------------

    def flush(self, progress: dict[str, dict] | None = None) -> tuple[Counter, Counter]:
        """Write the batch (and the run's progress, in the same transaction); return (stored, dropped)."""
        stored: Counter = Counter()
        dropped: Counter = Counter()
        if not self.pending and not progress:
            return stored, dropped
        now = utcnow()
        try:
            self._write(stored, dropped, progress, now)
        except BaseException:
            # The transaction rolled back: ids learnt inside it may not exist. Keep the batch for a retry.
            self._account_ids.clear()
            self._post_ids.clear()
            raise
        self._reset()
        return stored, dropped

    def _write(self, stored: Counter, dropped: Counter, progress: dict | None, now: datetime) -> None:
        with immediate(self.engine).begin() as conn:
            account_ids = self._upsert_accounts(conn, now)
            stored["account"] += len(self.accounts)
            self._upsert_posts(conn, account_ids, now)
            stored["post"] += len(self.posts)
            self._upsert_interactions(conn, account_ids, stored, dropped)
            for scope in self.scopes:
                removed = self._apply_scope(conn, scope, now)
                if removed:
                    stored["removed"] += removed
            if progress and self.run_id is not None:
                conn.execute(update(CrawlRun.__table__).where(CrawlRun.__table__.c.id == self.run_id)
                             .values(**progress))

    def _upsert_accounts(self, conn, now: datetime) -> dict[tuple[str, str], int]:
        ids = {k: self._account_ids[k] for k in self.accounts if k in self._account_ids}
        unknown = [a for k, a in self.accounts.items() if k not in ids]
        if not unknown:
            return ids
        self._reconcile_handles(conn, unknown)
        stmt = _insert(self.engine, A)
        stmt = stmt.on_conflict_do_update(
            index_elements=[A.c.platform, A.c.platform_id],
            set_={"handle": func.coalesce(stmt.excluded.handle, A.c.handle),
                  "display_name": func.coalesce(stmt.excluded.display_name, A.c.display_name),
                  "bio": func.coalesce(stmt.excluded.bio, A.c.bio),
                  "profile_url": func.coalesce(stmt.excluded.profile_url, A.c.profile_url),
                  "updated_at": stmt.excluded.updated_at})
        conn.execute(stmt, [{"platform": Platform(a.platform), "platform_id": a.platform_id, "handle": a.handle,
                             "display_name": a.display_name, "bio": a.bio, "profile_url": a.profile_url,
                             "first_seen_at": now, "updated_at": now} for a in unknown])
        for platform in {a.platform for a in unknown}:
            wanted = [a.platform_id for a in unknown if a.platform == platform]
            for part in _chunks(wanted):
                rows = conn.execute(select(A.c.id, A.c.platform_id)
                                    .where(A.c.platform == Platform(platform), A.c.platform_id.in_(part)))
                for row_id, pid in rows:
                    ids[(platform, pid)] = row_id
        self._remember(self._account_ids, ids)
        return ids

    def _reconcile_handles(self, conn, accounts: list[AccountLike]) -> None:
        """Fill in the platform id of registry accounts known only by handle (platform_id NULL)."""
        for platform in {a.platform for a in accounts}:
            by_handle: dict[str, AccountLike] = {}
            for a in accounts:
                if a.platform == platform:
                    for h in (a.lookup_handle, a.handle):
                        if h:
                            by_handle.setdefault(h.lower(), a)
            for part in _chunks(list(by_handle)):
                rows = conn.execute(select(A.c.id, A.c.handle).where(
                    A.c.platform == Platform(platform), A.c.platform_id.is_(None), A.c.handle.in_(part))).all()
                for row_id, handle in rows:
                    a = by_handle[handle]
                    taken = conn.execute(select(A.c.id).where(
                        A.c.platform == Platform(platform), A.c.platform_id == a.platform_id)).first()
                    if taken is None:  # otherwise a crawl already made the account: leave the registry row be
                        conn.execute(update(A).where(A.c.id == row_id).values(
                            platform_id=a.platform_id, handle=(a.handle or handle).lower()))

    def _upsert_posts(self, conn, account_ids: dict, now: datetime) -> None:
        if not self.posts:
            return
        stmt = _insert(self.engine, P)
        # Seen again: refresh last_seen_at and clear a removal; the first capture stays the evidence.
        stmt = stmt.on_conflict_do_update(
            index_elements=[P.c.platform, P.c.platform_id],
            set_={"last_seen_at": stmt.excluded.last_seen_at, "removed_at": None,
                  "platform_cid": func.coalesce(P.c.platform_cid, stmt.excluded.platform_cid),
                  "reply_to_platform_id": func.coalesce(P.c.reply_to_platform_id, stmt.excluded.reply_to_platform_id)})
        conn.execute(stmt, [{
            "platform": Platform(p.platform), "platform_id": p.platform_id, "platform_cid": p.platform_cid,
            "author_account_id": account_ids[(p.author.platform, p.author.platform_id)], "text": p.text or "",
            "url": p.url, "created_at": p.created_at, "edited_at": p.edited_at, "language": p.language,
            "reply_to_platform_id": p.reply_to_platform_id, "raw_json": p.raw_json,
            "raw_sha256": sha256_text(p.raw_json), "fetched_at": p.fetched_at, "last_seen_at": p.fetched_at,
        } for p in self.posts.values()])

    def _lookup_post_ids(self, conn, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        ids = {k: self._post_ids[k] for k in keys if k in self._post_ids}
        for platform in {k[0] for k in keys if k not in ids}:
            wanted = [k[1] for k in keys if k[0] == platform and k not in ids]
            for part in _chunks(wanted):
                rows = conn.execute(select(P.c.id, P.c.platform_id)
                                    .where(P.c.platform == Platform(platform), P.c.platform_id.in_(part)))
                for row_id, pid in rows:
                    ids[(platform, pid)] = row_id
        self._remember(self._post_ids, ids)
        return ids

    def _upsert_interactions(self, conn, account_ids: dict, stored: Counter, dropped: Counter) -> None:
        if not self.interactions:
            return
        keys = set()
        for i in self.interactions.values():
            keys.add((i.platform, i.target_platform_id))
            if i.own_post_platform_id:
                keys.add((i.platform, i.own_post_platform_id))
        post_ids = self._lookup_post_ids(conn, keys)
        rows = []
        for i in self.interactions.values():
            target = post_ids.get((i.platform, i.target_platform_id))
            if target is None:  # the post it points at was never captured: nothing to attach evidence to
                dropped["target_post_missing"] += 1
                continue
            rows.append({
                "platform": Platform(i.platform), "kind": InteractionKind(i.kind),
                "actor_account_id": account_ids[(i.actor.platform, i.actor.platform_id)],
                "target_post_id": target, "own_post_id": post_ids.get((i.platform, i.own_post_platform_id)),
                "instance_key": i.instance_key, "platform_id": i.platform_id, "occurred_at": i.occurred_at,
                "first_seen_at": i.fetched_at, "last_seen_at": i.fetched_at, "raw_json": i.raw_json,
                "raw_sha256": sha256_text(i.raw_json), "fetched_at": i.fetched_at,
            })
            stored[i.kind] += 1
        if not rows:
            return
        stmt = _insert(self.engine, I)
        stmt = stmt.on_conflict_do_update(
            index_elements=[I.c.kind, I.c.actor_account_id, I.c.target_post_id, I.c.instance_key],
            set_={"last_seen_at": stmt.excluded.last_seen_at, "removed_at": None,
                  "platform_id": func.coalesce(I.c.platform_id, stmt.excluded.platform_id),
                  "occurred_at": func.coalesce(I.c.occurred_at, stmt.excluded.occurred_at),
                  "own_post_id": func.coalesce(I.c.own_post_id, stmt.excluded.own_post_id)})
        conn.execute(stmt, rows)

    def _apply_scope(self, conn, scope: Any, now: datetime) -> int:
        """Mark removed what a complete listing no longer shows (not seen since this run started)."""
        platform = Platform(scope.platform)
        kinds = [InteractionKind(k) for k in scope.kinds if k != "post"]
        removed = 0
        if scope.scope == "target":
            owner = conn.execute(select(P.c.id).where(P.c.platform == platform, P.c.platform_id == scope.key)).scalar()
            where = [I.c.target_post_id == owner]
        else:
            owner = conn.execute(select(A.c.id).where(A.c.platform == platform, A.c.platform_id == scope.key)).scalar()
            where = [I.c.actor_account_id == owner]
        if owner is None:
            return 0
        if kinds:
            where += [I.c.kind.in_(kinds), I.c.removed_at.is_(None), I.c.last_seen_at < self.run_started_at]
            if scope.since is not None:
                where.append(I.c.occurred_at >= scope.since)
            gone = conn.execute(select(I.c.id, I.c.own_post_id).where(*where)).all()
            for part in _chunks([g.id for g in gone]):
                conn.execute(update(I).where(I.c.id.in_(part)).values(removed_at=now))
            own = [g.own_post_id for g in gone if g.own_post_id]
            for part in _chunks(own):  # a deleted reply or quote is also a removed post
                conn.execute(update(P).where(P.c.id.in_(part), P.c.removed_at.is_(None)).values(removed_at=now))
            removed += len(gone)
        if "post" in scope.kinds and scope.scope == "actor":
            pwhere = [P.c.author_account_id == owner, P.c.removed_at.is_(None), P.c.last_seen_at < self.run_started_at]
            if scope.since is not None:
                pwhere.append(P.c.created_at >= scope.since)
            gone_posts = conn.execute(select(P.c.id).where(*pwhere)).scalars().all()
            for part in _chunks(gone_posts):
                conn.execute(update(P).where(P.c.id.in_(part)).values(removed_at=now))
                # A deleted reply or quote post takes its interaction with it.
                conn.execute(update(I).where(I.c.own_post_id.in_(part), I.c.removed_at.is_(None))
                             .values(removed_at=now))
            removed += len(gone_posts)
        return removed

    @staticmethod
    def _remember(cache: dict, ids: dict) -> None:
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        cache.update(ids)


# -- crawl runs ---------------------------------------------------------------------------------------------

def start_run(engine: Engine, source: str, parameters: dict) -> tuple[int, datetime]:
    """Record a new running CrawlRun; return its id and start time."""
    started = utcnow()
    with immediate(engine).begin() as conn:
        run_id = conn.execute(CrawlRun.__table__.insert().values(
            source=source, parameters=parameters, status=RunStatus.RUNNING, started_at=started,
            item_counts={}, error_counts={}, cursor_state={})).inserted_primary_key[0]
    return run_id, started


def finish_run(engine: Engine, run_id: int, status: RunStatus, error_message: str | None = None,
               **progress: dict) -> None:
    """Close a CrawlRun with its final status (and counts, when given)."""
    with immediate(engine).begin() as conn:
        conn.execute(update(CrawlRun.__table__).where(CrawlRun.__table__.c.id == run_id).values(
            status=status, finished_at=utcnow(), error_message=error_message, **progress))


def previous_cursor_state(engine: Engine, source: str, limit: int = 50) -> dict[str, Any]:
    """Merge the cursor states of the source's recent runs, newest winning per target."""
    table = CrawlRun.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(table.c.cursor_state).where(table.c.source == source)
                            .order_by(table.c.started_at.desc(), table.c.id.desc()).limit(limit)).scalars().all()
    merged: dict[str, Any] = {}
    for state in reversed(rows):
        merged.update(state or {})
    return merged
