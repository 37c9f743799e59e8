"""Sample network: lookups over a scenario (by handle, DID, URI, id) and the keyset paging both platforms use.

Lists are built once, newest first; deletions and the optional clock are applied when a page is served,
so a test can un-like or move time forward between two crawls.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from samplenet.scenario import SAccount, Scenario, SInteraction, SPost


class Index:
    """Every lookup the endpoints need, plus the visibility rule (not deleted, not in the future)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.clock: datetime | None = None  # None: everything is visible
        self.lock = threading.Lock()
        self.by_handle: dict[tuple[str, str], SAccount] = {}
        self.by_did: dict[str, SAccount] = {}
        self.by_mid: dict[str, SAccount] = {}
        self.post_by_uri: dict[str, SPost] = {}
        self.post_by_mid: dict[str, SPost] = {}
        self.authored: dict[str, list[SPost]] = defaultdict(list)
        self.replies: dict[str, list[SPost]] = defaultdict(list)
        self.quotes: dict[str, list[SPost]] = defaultdict(list)
        self.on_post: dict[tuple[str, str], list[SInteraction]] = defaultdict(list)  # (post key, kind)
        self.by_actor: dict[tuple[str, str], list[SInteraction]] = defaultdict(list)  # (account key, kind)
        self.reblog_by_mid: dict[str, SInteraction] = {}
        self.positions: dict = {}  # keyset_page's cache; lists below are never mutated
        for acc in scenario.accounts.values():
            self.by_handle[(acc.platform, acc.handle)] = acc
            if acc.did:
                self.by_did[acc.did] = acc
            if acc.mid:
                self.by_mid[acc.mid] = acc
        for post in sorted(scenario.posts.values(), key=lambda p: p.at, reverse=True):
            if post.uri:
                self.post_by_uri[post.uri] = post
            if post.mid:
                self.post_by_mid[post.mid] = post
            self.authored[post.author.key].append(post)
            if post.reply_to:
                self.replies[post.reply_to.key].append(post)
            if post.quote_of:
                self.quotes[post.quote_of.key].append(post)
        for inter in sorted(scenario.interactions, key=lambda x: x.seq, reverse=True):
            self.on_post[(inter.post.key, inter.kind)].append(inter)
            self.by_actor[(inter.actor.key, inter.kind)].append(inter)
            if inter.mid:
                self.reblog_by_mid[inter.mid] = inter

    def visible(self, item: SPost | SInteraction) -> bool:
        if item.deleted:
            return False
        if isinstance(item, SInteraction) and not self.visible(item.post):
            return False
        return self.clock is None or item.at <= self.clock

    def count(self, post: SPost, kind: str) -> int:
        if kind == "reply":
            return sum(1 for p in self.replies[post.key] if self.visible(p))
        if kind == "quote":
            return sum(1 for p in self.quotes[post.key] if self.visible(p))
        return sum(1 for x in self.on_post[(post.key, kind)] if self.visible(x))

    def account(self, platform: str, ref: str) -> SAccount | None:
        """Find an account by handle (any case, '@' optional) or, on Bluesky, by DID."""
        ref = (ref or "").strip().lstrip("@").lower()
        if platform == "bluesky" and ref.startswith("did:"):
            return self.by_did.get(ref)
        return self.by_handle.get((platform, ref))

    # Test and demo hooks: what a user does between two crawls.
    def delete_interaction(self, kind: str, actor_key: str, post_key: str) -> None:
        with self.lock:
            for inter in self.on_post[(post_key, kind)]:
                if inter.actor.key == actor_key:
                    inter.deleted = True

    def delete_post(self, post_key: str) -> None:
        with self.lock:
            self.scenario.posts[post_key].deleted = True


class BadCursor(ValueError):
    """A client sent a cursor this server never handed out."""


def keyset_page(
    items: list, key: Callable[[object], str], after: str | None, limit: int, visible: Callable[[object], bool],
    cache: dict, key_name: str = "",
) -> tuple[list, str | None, bool]:
    """Return (page, key of its last item, whether more visible items follow) for a newest-first list.

    `after` is the key of the last item of the previous page; the page starts right after it. Positions
    are cached per list (lists never change, deletion is a flag) so deep pages stay O(page).
    """
    start = 0
    if after:
        cache_key = (id(items), key_name)
        positions = cache.get(cache_key)
        if positions is None:
            positions = {key(item): n for n, item in enumerate(items)}
            cache[cache_key] = positions
        if after not in positions:
            raise BadCursor(after)
        start = positions[after] + 1
    page: list = []
    pos = start
    while pos < len(items) and len(page) < limit:
        if visible(items[pos]):
            page.append(items[pos])
        pos += 1
    more = any(visible(i) for i in _rest(items, pos))
    return page, (key(page[-1]) if page else None), more


def _rest(items: list, pos: int) -> Iterable:
    return (items[i] for i in range(pos, len(items)))
