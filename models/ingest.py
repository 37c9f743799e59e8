"""Store stage: batched, idempotent upserts of crawled accounts, posts and interactions, and removals.

The crawler's store pipeline and `netral import` both write through `Ingestor`, so an imported row and a
crawled item are stored the same way. A batch is one transaction: a crash loses at most the open batch,
and re-running the crawl completes it, because every write is an INSERT ... ON CONFLICT on the natural key.
Rows are never deleted: what a complete listing no longer shows gets `removed_at`.

What it accepts is described by the protocols below (AccountLike, PostLike, InteractionLike, ScopeLike):
models may not import the crawler, and crawler.items' dataclasses satisfy them (tests/models/
test_ingest_columns.py checks that, and that the hand-typed column lists name the tables' real columns).
Times arrive parsed (aware datetimes): crawler.normalize parses the text times the items may carry.

Registry handles (accounts with no platform id yet) are bound only on a crawl's word (models.bindings):
the handle a crawl resolved (`lookup_handle`) or the one the platform lists for an account. An Ingestor
made with resolves_handles=False (`netral import`: rows collected elsewhere) never binds one.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models import bindings
from models.base import AttributionMethod, InteractionKind, LinkStatus, Platform, utcnow
from models.evidence import sha256_text
from models.jobs import CrawlRun
from models.registry import AccountLink
from models.session import immediate
from models.social import Account, Interaction, Post

SEPARATOR = "\x1e"  # record separator: never unescaped inside valid JSON text (crawler.validate.check_raw)
CHUNK = 500  # keys per IN (...) list; far below SQLite's and PostgreSQL's parameter limits
CACHE_LIMIT = 50_000  # ids remembered between batches; bounded so memory stays flat on long crawls

# Stored enum values by name: a dict lookup per row where an Enum call cost more (a KeyError is a bad value).
PLATFORM_VALUES = {p.value: p.value for p in Platform}
KIND_VALUES = {k.value: k.value for k in InteractionKind}

A, P, I = Account.__table__, Post.__table__, Interaction.__table__  # noqa: E741
L = AccountLink.__table__


@runtime_checkable
class AccountLike(Protocol):
    """An account as a crawl saw it (crawler.items.AccountItem)."""

    platform: str  # a Platform value
    platform_id: str
    handle: str | None
    display_name: str | None
    bio: str | None
    profile_url: str | None
    lookup_handle: str | None  # the handle we asked for, to resolve registry rows known only by handle


@runtime_checkable
class PostLike(Protocol):
    """A post with its author and raw payload (crawler.items.PostItem)."""

    platform: str  # a Platform value
    platform_id: str
    author: AccountLike
    raw_json: str
    fetched_at: datetime
    text: str
    url: str | None
    platform_cid: str | None
    created_at: datetime | None
    edited_at: datetime | None
    language: str | None
    reply_to_platform_id: str | None


@runtime_checkable
class InteractionLike(Protocol):
    """A like, reply, repost or quote of a post (crawler.items.InteractionItem).

    A dataclass: two captures of one interaction in a batch are merged with dataclasses.replace.
    """

    platform: str  # a Platform value
    kind: str  # an InteractionKind value
    actor: AccountLike
    target_platform_id: str
    raw_json: str
    fetched_at: datetime
    own_post_platform_id: str | None
    platform_id: str | None
    occurred_at: datetime | None

    @property
    def instance_key(self) -> str: ...


@runtime_checkable
class ScopeLike(Protocol):
    """A listing read to its end (crawler.items.ScopeDone): what it no longer shows was removed."""

    platform: str  # a Platform value
    scope: str  # "target" or "actor"
    key: str  # the post's or the account's platform id
    kinds: tuple[str, ...]  # InteractionKind values, and "post"
    since: datetime | None


def _insert(engine: Engine, table):
    """Return the dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    return (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(table)


def _names(account: AccountLike, lookup: str) -> bool:
    """Whether the account a lookup returned carries the handle asked for (a bare Mastodon name: user@host).

    Bluesky answers an unverifiable handle with `handle.invalid`: that resolution proves nothing.
    """
    handle, lookup = (account.handle or "").lower(), lookup.lower()
    return not account.handle or handle == lookup or ("@" not in lookup and handle.startswith(lookup + "@"))


def _chunks(seq: list, size: int = CHUNK):
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


# Hand-typed column lists (tests/models/test_ingest_columns.py checks them against the tables).
ACCOUNT_COLS = {"platform": "varchar", "platform_id": "varchar", "handle": "varchar", "display_name": "varchar",
                "bio": "text", "profile_url": "varchar", "first_seen_at": "timestamptz", "updated_at": "timestamptz"}
ACCOUNT_SET = ("handle = coalesce(excluded.handle, account.handle), "
               "display_name = coalesce(excluded.display_name, account.display_name), "
               "bio = coalesce(excluded.bio, account.bio), "
               "profile_url = coalesce(excluded.profile_url, account.profile_url), updated_at = excluded.updated_at")
ACCOUNT_KEY = "platform, platform_id"
ACCOUNT_RETURNING = "id, platform, platform_id"
POST_COLS = ("platform", "platform_id", "platform_cid", "author_account_id", "text", "url", "created_at", "edited_at",
             "language", "reply_to_platform_id", "raw_json", "raw_sha256", "fetched_at", "last_seen_at")
POST_KEY = ("platform", "platform_id")
# What a second capture of a post may fill in (the first capture stays the evidence).
POST_MERGED = ("platform_cid", "reply_to_platform_id")
INTERACTION_COLS = {"platform": "varchar", "kind": "varchar", "actor_account_id": "bigint", "target_post_id": "bigint",
                    "own_post_id": "bigint", "instance_key": "varchar", "platform_id": "varchar",
                    "occurred_at": "timestamptz", "first_seen_at": "timestamptz", "last_seen_at": "timestamptz",
                    "raw_json": "text", "raw_sha256": "varchar", "fetched_at": "timestamptz"}
INTERACTION_KEY = "kind, actor_account_id, target_post_id, instance_key"
# What a second capture of an interaction may fill in (InteractionLike attributes; INTERACTION_SET's coalesce
# columns).
MERGED_FIELDS = ("platform_id", "occurred_at", "own_post_platform_id")
# Seen again: refresh last_seen_at and clear a removal; the first capture stays the evidence.
INTERACTION_SET = ("last_seen_at = excluded.last_seen_at, removed_at = NULL, "
                   "platform_id = coalesce(interaction.platform_id, excluded.platform_id), "
                   "occurred_at = coalesce(interaction.occurred_at, excluded.occurred_at), "
                   "own_post_id = coalesce(interaction.own_post_id, excluded.own_post_id)")


def _sqlite_time(value: datetime | None) -> str | None:
    """The text SQLAlchemy stores for a UTC DateTime on SQLite (compared as text, so it must match)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _bulk_upsert(conn, table: str, cols: dict[str, str], rows: list[tuple], conflict: str, set_sql: str,
                 returning: str | None = None, evidence: str | None = None) -> list:
    """INSERT ... ON CONFLICT DO UPDATE of many rows in one statement.

    The hot path of a crawl. The batch travels as one JSON array of rows, encoded by the C json encoder
    and unpacked by the database (jsonb_array_elements on PostgreSQL, json_each on SQLite): per-value
    adaptation in the driver (SQLAlchemy's type processing, psycopg's array dumper, an executemany that
    takes the GIL back after every row) cost more than the database's own work, and one statement lets
    the database work on the other core while the writer thread waits without the GIL.
    Rows hold plain values: enum values as text, datetimes aware (PostgreSQL) or as _sqlite_time text.
    evidence: the column of raw JSON texts, sent apart on PostgreSQL.
    """
    pg = conn.dialect.name == "postgresql"
    extra: tuple = ()
    if pg:
        exprs = [f"(e->>{n})::{kind}" for n, kind in enumerate(cols.values())]
        source = "jsonb_array_elements(%s::jsonb) AS e"
        apart = list(cols).index(evidence) if evidence else None
        texts = [row[apart] for row in rows] if apart is not None else []
        if texts and not any(SEPARATOR in text for text in texts):
            # The evidence texts travel apart, joined by a character valid JSON never holds unescaped:
            # escaping them inside the document was most of the encoder's work (and held the GIL).
            rows = [(*row[:apart], None, *row[apart + 1:]) for row in rows]
            exprs[apart] = "r.t"
            source = ("jsonb_array_elements(%s::jsonb) WITH ORDINALITY AS x(e, n) "
                      "JOIN unnest(string_to_array(%s, chr(30))) WITH ORDINALITY AS r(t, n) USING (n)")
            extra = (SEPARATOR.join(texts),)
        values = ", ".join(exprs)
    else:
        values = ", ".join(f"e.value->>{n}" for n in range(len(cols)))
        source = "json_each(?) AS e"
    document = json.dumps(rows, default=_json_time, ensure_ascii=False)
    # WHERE true: SQLite needs it to parse an upsert whose rows come from a SELECT.
    sql = (f"INSERT INTO {table} ({', '.join(cols)}) SELECT {values} FROM {source} WHERE true "
           f"ON CONFLICT ({conflict}) DO UPDATE SET {set_sql}")
    if not returning:
        conn.exec_driver_sql(sql, (document, *extra))
        return []
    if pg:
        return conn.exec_driver_sql(f"{sql} RETURNING {returning}", (document, *extra)).all()
    # SQLite hands back RETURNING rows one step at a time, each step taking the GIL back from the parser
    # (the writer thread then waits up to a switch interval per row): read the rows back as one JSON value.
    conn.exec_driver_sql(sql, (document,))
    names = list(cols)
    match = " AND ".join(f"t.{key} = e.value->>{names.index(key)}" for key in (k.strip() for k in conflict.split(",")))
    picked = ", ".join(f"t.{name.strip()}" for name in returning.split(","))
    found = conn.exec_driver_sql(f"SELECT json_group_array(json_array({picked})) FROM {source} JOIN {table} AS t "
                                 f"ON {match}", (document,)).scalar()
    return [tuple(row) for row in json.loads(found)]


def _json_time(value: object) -> str:
    """A datetime as PostgreSQL reads it back from JSON text (ISO 8601 with its offset)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(f"cannot store {type(value).__name__} as a time")


def _time_text(conn) -> Callable[[datetime], str]:
    """How a time is written into a batch document for this connection's database."""
    return _json_time if conn.dialect.name == "postgresql" else _sqlite_time


class Batch:
    """Items waiting to be written, deduplicated on their natural keys."""

    def __init__(self) -> None:
        self.accounts: dict[tuple[str, str], AccountLike] = {}
        self.posts: dict[tuple[str, str], PostLike] = {}
        self.interactions: dict[tuple, InteractionLike] = {}
        self.scopes: list[ScopeLike] = []

    def __len__(self) -> int:
        return len(self.posts) + len(self.interactions) + len(self.scopes) + len(self.accounts)

    def add_account(self, account: AccountLike) -> None:
        key = (account.platform, account.platform_id)
        known = self.accounts.get(key)
        # Keep the richest view of the account seen in this batch (likers come without a bio).
        if known is None or (account.bio is not None and known.bio is None) or account.lookup_handle:
            self.accounts[key] = account

    def add_post(self, post: PostLike) -> None:
        self.add_account(post.author)
        key = (post.platform, post.platform_id)
        known = self.posts.get(key)
        if known is None or (known.reply_to_platform_id is None and post.reply_to_platform_id):
            self.posts[key] = post  # a Mastodon reply learns its parent's URI after a second request

    def add_interaction(self, inter: InteractionLike) -> None:
        self.add_account(inter.actor)
        key = (inter.platform, inter.kind, inter.actor.platform_id, inter.target_platform_id, inter.instance_key)
        known = self.interactions.get(key)
        if known is None:
            self.interactions[key] = inter
            return
        # Seen twice in one batch (a like in the AppView's listing and in the liker's repository): the first
        # capture stays the evidence, and learns what only the second knows, as INTERACTION_SET does across
        # batches. Keeping the first alone lost the like record's URI when both landed in one batch.
        missing = {name: getattr(inter, name) for name in MERGED_FIELDS
                   if getattr(known, name) is None and getattr(inter, name) is not None}
        if missing:
            self.interactions[key] = dataclasses.replace(known, **missing)

    def add_scope(self, scope: ScopeLike) -> None:
        self.scopes.append(scope)


class Ingestor:
    """Collect items into a batch and write it in one transaction, one upsert statement per table.

    `take()` + `write()` let a caller write one batch in a worker thread while it fills the next
    (one write at a time: the id caches are not shared between concurrent writes).
    """

    def __init__(self, engine: Engine, run_id: int | None = None, run_started_at: datetime | None = None,
                 batch_size: int = 500, resolves_handles: bool = True):
        self.engine = engine
        self.resolves_handles = resolves_handles  # False: the items are no proof of whose a handle is
        self.run_id = run_id
        self.run_started_at = run_started_at or utcnow()
        self.batch_size = batch_size
        self._account_ids: dict[tuple[str, str], int] = {}
        self._post_ids: dict[tuple[str, str], int] = {}
        self._held_scopes: list[ScopeLike] = []
        self.batch = Batch()

    @property
    def pending(self) -> int:
        return len(self.batch)

    @property
    def full(self) -> bool:
        return len(self.batch.posts) + len(self.batch.interactions) >= self.batch_size

    def add_account(self, account: AccountLike) -> None:
        self.batch.add_account(account)

    def add_post(self, post: PostLike) -> None:
        self.batch.add_post(post)

    def add_interaction(self, inter: InteractionLike) -> None:
        self.batch.add_interaction(inter)

    def add_scope(self, scope: ScopeLike) -> None:
        self.batch.add_scope(scope)

    def take(self) -> Batch:
        """Hand over the open batch and start a new one."""
        batch, self.batch = self.batch, Batch()
        return batch

    # -- writing ---------------------------------------------------------------------------------------

    def flush(self, progress: dict[str, dict] | None = None, final: bool = True) -> tuple[Counter, Counter]:
        """Write the open batch (and the run's progress, in the same transaction); return (stored, dropped).

        final=False holds the batch's scopes until the next write: a spider that asks for the next page
        before yielding this one's items can have a listing's last ScopeDone overtake a few of its items,
        and those land at the latest in the next batch.
        """
        batch = self.batch
        result = self.write(batch, progress, final)
        if self.batch is batch:
            self.batch = Batch()
        return result

    def write(self, batch: Batch, progress: dict[str, dict] | None = None, final: bool = True
              ) -> tuple[Counter, Counter]:
        """Write one batch in one transaction; on failure nothing of it is stored and the error is raised."""
        stored: Counter = Counter()
        dropped: Counter = Counter()
        if not len(batch) and not progress and not self._held_scopes:
            return stored, dropped
        apply = self._held_scopes + (batch.scopes if final else [])
        try:
            self._write(batch, apply, stored, dropped, progress, utcnow())
            self._held_scopes = [] if final else list(batch.scopes)
        except BaseException:
            # The transaction rolled back: ids learnt inside it may not exist.
            self._account_ids.clear()
            self._post_ids.clear()
            raise
        return stored, dropped

    def _write(self, batch: Batch, scopes: list, stored: Counter, dropped: Counter, progress: dict | None,
               now: datetime) -> None:
        with immediate(self.engine).begin() as conn:
            if conn.dialect.name == "postgresql":
                # Do not wait for the WAL flush: a database crash may lose the last batches, but with them
                # the cursor saved in the same transactions, so the next run fetches them again.
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            account_ids = self._upsert_accounts(conn, batch, now)
            stored["account"] += len(batch.accounts)
            self._upsert_posts(conn, batch, account_ids)
            stored["post"] += len(batch.posts)
            self._upsert_interactions(conn, batch, account_ids, stored, dropped)
            for scope in scopes:
                removed = self._apply_scope(conn, scope, now)
                if removed:
                    stored["removed"] += removed
            if progress and self.run_id is not None:
                conn.execute(update(CrawlRun.__table__).where(CrawlRun.__table__.c.id == self.run_id)
                             .values(**progress))

    def _upsert_accounts(self, conn, batch: Batch, now: datetime) -> dict[tuple[str, str], int]:
        ids = {k: self._account_ids[k] for k in batch.accounts if k in self._account_ids}
        # In key order, as every write here: two crawler processes then lock shared rows in the same order
        # and cannot deadlock (seen in the scale-out test with unsorted 2,000-item batches).
        unknown = [a for k, a in sorted(batch.accounts.items()) if k not in ids]
        # A resolution counts even for an account this crawl already stored (a liker looked up later).
        claimants = unknown + [a for k, a in sorted(batch.accounts.items()) if k in ids and a.lookup_handle]
        suggestions = self._reconcile_handles(conn, claimants, now) if self.resolves_handles else []
        if unknown:
            stamp = _time_text(conn)(now)  # once, not per row
            rows = [(PLATFORM_VALUES[a.platform], a.platform_id, a.handle, a.display_name, a.bio, a.profile_url,
                     stamp, stamp) for a in unknown]
            returned = _bulk_upsert(conn, "account", ACCOUNT_COLS, rows, ACCOUNT_KEY, ACCOUNT_SET,
                                    returning=ACCOUNT_RETURNING)
            ids.update({(platform, pid): row_id for row_id, platform, pid in returned})
            self._remember(self._account_ids, ids)
        for person_id, key, handle, claims, why in suggestions:
            bindings.suggest(conn, lambda t: _insert(self.engine, t), person_id, ids[key], handle, claims, why)
        return ids

    def _reconcile_handles(self, conn, accounts: list[AccountLike], now: datetime) -> list[tuple]:
        """Bind registry accounts known only by handle (platform_id NULL) to the account a crawl saw with it.

        One claimant binds (models.bindings.bind); two or more bind none and are noted for an admin, as is a
        resolution of an already bound registry handle to another account. Returns the suggested links to
        write once the claimants are stored: (person id, account key, handle, claims, proof).
        """
        suggestions: list[tuple] = []
        for platform in sorted({a.platform for a in accounts}):
            mine = [a for a in accounts if a.platform == platform]
            looked_up = [a for a in mine if a.lookup_handle and _names(a, a.lookup_handle)]
            # One indexed probe per batch spares the handle lookups when every account is resolved.
            if not looked_up and conn.execute(select(A.c.id).where(
                    A.c.platform == Platform(platform), A.c.platform_id.is_(None)).limit(1)).first() is None:
                continue
            claims: dict[str, dict[str, tuple[AccountLike, str]]] = {}
            resolved = {id(a) for a in looked_up}
            for a in mine:
                if id(a) in resolved:
                    claims.setdefault(a.lookup_handle.lower(), {})[a.platform_id] = (a, "lookup")
                if a.handle:
                    claims.setdefault(a.handle.lower(), {}).setdefault(a.platform_id, (a, "listing"))
            for part in _chunks(sorted(claims)):
                rows = conn.execute(select(A.c.id, A.c.handle).where(
                    A.c.platform == Platform(platform), A.c.platform_id.is_(None), A.c.handle.in_(part))
                    .order_by(A.c.id)).all()
                for row_id, handle in rows:
                    by_id = claims[handle]
                    why = {pid: bindings.proof("crawl", handle, now, via=via, run_id=self.run_id)
                           for pid, (_, via) in by_id.items()}
                    earlier = bindings.contested(conn, row_id)
                    people = conn.execute(select(L.c.person_id).where(L.c.account_id == row_id)).scalars().all()
                    if len(by_id) == 1 and not earlier and not self._held_by_another(conn, platform, by_id, people):
                        (pid, (a, _)), = by_id.items()
                        bindings.bind(conn, row_id, pid, a.handle or handle, why[pid])
                        continue
                    every = sorted(set(earlier) | set(by_id))
                    bindings.note_claims(conn, row_id, every)
                    suggestions += [(person, (platform, pid), handle, every, why[pid])
                                    for person in people for pid in sorted(by_id)]
            suggestions += self._second_claims(conn, platform, looked_up, now)
        return suggestions

    @staticmethod
    def _held_by_another(conn, platform: str, by_id: dict, people: list[int]) -> bool:
        """Whether the claimant account is already registered to someone else (one account, one person)."""
        return conn.execute(select(L.c.id).join(A, A.c.id == L.c.account_id).where(
            A.c.platform == Platform(platform), A.c.platform_id.in_(list(by_id)),
            L.c.method == AttributionMethod.REGISTRY, L.c.status != LinkStatus.REJECTED,
            L.c.person_id.not_in(people)).limit(1)).first() is not None

    def _second_claims(self, conn, platform: str, looked_up: list[AccountLike], now: datetime) -> list[tuple]:
        """A registry handle already bound to one account that a crawl now resolves to another: for an admin."""
        out = []
        for a in looked_up:
            handle = a.lookup_handle.lower()
            rows = conn.execute(select(L.c.person_id, A.c.platform_id).join(A, A.c.id == L.c.account_id).where(
                A.c.platform == Platform(platform), A.c.handle.in_({handle, (a.handle or handle).lower()}),
                A.c.platform_id.is_not(None), A.c.platform_id != a.platform_id,
                L.c.method == AttributionMethod.REGISTRY, L.c.status != LinkStatus.REJECTED)).all()
            for person_id, bound_to in rows:
                out.append((person_id, (platform, a.platform_id), handle, sorted({bound_to, a.platform_id}),
                            bindings.proof("crawl", handle, now, via="lookup", run_id=self.run_id)))
        return out

    def _upsert_posts(self, conn, batch: Batch, account_ids: dict) -> None:
        if not batch.posts:
            return
        stmt = _insert(self.engine, P)
        # Seen again: refresh last_seen_at and clear a removal; the first capture stays the evidence.
        stmt = stmt.on_conflict_do_update(
            index_elements=[P.c[name] for name in POST_KEY],
            set_={"last_seen_at": stmt.excluded.last_seen_at, "removed_at": None,
                  **{name: func.coalesce(P.c[name], stmt.excluded[name]) for name in POST_MERGED}})
        conn.execute(stmt, [dict(zip(POST_COLS, (
            Platform(p.platform), p.platform_id, p.platform_cid, account_ids[(p.author.platform, p.author.platform_id)],
            p.text or "", p.url, p.created_at, p.edited_at, p.language, p.reply_to_platform_id, p.raw_json,
            sha256_text(p.raw_json), p.fetched_at, p.fetched_at), strict=True))
            for _, p in sorted(batch.posts.items())])

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

    def _upsert_interactions(self, conn, batch: Batch, account_ids: dict, stored: Counter, dropped: Counter) -> None:
        if not batch.interactions:
            return
        keys = set()
        for i in batch.interactions.values():
            keys.add((i.platform, i.target_platform_id))
            if i.own_post_platform_id:
                keys.add((i.platform, i.own_post_platform_id))
        post_ids = self._lookup_post_ids(conn, keys)
        # A page's items share their capture time: format each distinct time once.
        fmt = _time_text(conn)
        memo: dict = {None: None}
        time = lambda v: memo[v] if v in memo else memo.setdefault(v, fmt(v))
        rows = []
        for i in batch.interactions.values():
            target = post_ids.get((i.platform, i.target_platform_id))
            if target is None:  # the post it points at was never captured: nothing to attach evidence to
                dropped["target_post_missing"] += 1
                continue
            rows.append((
                PLATFORM_VALUES[i.platform], KIND_VALUES[i.kind],
                account_ids[(i.actor.platform, i.actor.platform_id)], target,
                post_ids.get((i.platform, i.own_post_platform_id)), i.instance_key, i.platform_id,
                time(i.occurred_at), time(i.fetched_at), time(i.fetched_at), i.raw_json, sha256_text(i.raw_json),
                time(i.fetched_at)))
            stored[i.kind] += 1
        if rows:
            rows.sort(key=lambda r: (r[1], r[2], r[3], r[5]))  # the natural key, in lock order (see accounts)
            _bulk_upsert(conn, "interaction", INTERACTION_COLS, rows, INTERACTION_KEY, INTERACTION_SET,
                         evidence="raw_json")

    def _apply_scope(self, conn, scope: ScopeLike, now: datetime) -> int:
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
