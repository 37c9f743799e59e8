"""Sample network: Mastodon REST endpoints over a scenario, paged only through the `Link` header.

Like a real instance: the ids in the Link URLs are internal (favourite ids for favourited_by), a page
that comes back full gets a `next` link even if nothing follows, and the other query parameters are kept.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from samplenet import mastodon_views as v
from samplenet.index import Index
from samplenet.scenario import SInteraction, SPost

Params = dict[str, list[str]]
Result = tuple[int, object, dict[str, str]]
NOT_FOUND: Result = (404, {"error": "Record not found"}, {})
_ROUTE = re.compile(r"^/api/v1/(accounts|statuses)/([^/]+)(?:/([a-z_]+))?$")
_TRUE = {"true", "1", "on"}


def _one(params: Params, name: str) -> str | None:
    values = params.get(name) or []
    return values[0] if values and values[0] != "" else None


def _limit(params: Params, default: int, maximum: int) -> int:
    try:
        limit = int(_one(params, "limit") or default)
    except ValueError:
        limit = default
    return max(1, min(limit, maximum))  # Mastodon clamps instead of refusing


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class Mastodon:
    """One Mastodon instance holding every Mastodon account of the scenario."""

    def __init__(self, index: Index, base: str):
        self.index, self.base = index, base

    def handle(self, path: str, params: Params) -> Result:
        if path == "/api/v1/accounts/lookup":
            acct = (_one(params, "acct") or "").lstrip("@")
            user, _, domain = acct.partition("@")
            acc = self.index.account("mastodon", user) if domain in ("", self._domain()) else None
            return (200, v.account(self.base, acc, self.index), {}) if acc else NOT_FOUND
        match = _ROUTE.match(path)
        if not match:
            return 404, {"error": "Not Found"}, {}
        kind, ident, sub = match.groups()
        if kind == "accounts":
            acc = self.index.by_mid.get(ident)
            if acc is None:
                return NOT_FOUND
            if sub is None:
                return 200, v.account(self.base, acc, self.index), {}
            if sub == "statuses":
                return self.account_statuses(acc, params, path)
            return 404, {"error": "Not Found"}, {}
        post = self.index.post_by_mid.get(ident)
        if post is None or not self.index.visible(post):
            return NOT_FOUND
        if sub is None:
            return 200, v.status(self.base, post, self.index), {}
        if sub == "context":
            return 200, self.context(post), {}
        if sub in ("favourited_by", "reblogged_by"):
            return self.actors(post, "like" if sub == "favourited_by" else "repost", params, path)
        if sub == "quotes":
            return self.quotes(post, params, path)
        return 404, {"error": "Not Found"}, {}

    def _domain(self) -> str:
        return self.base.split("://", 1)[-1]

    def _link(self, path: str, params: Params, first: str | None, last: str | None, full: bool) -> dict[str, str]:
        """Build the Link header: `next` (older, max_id) when the page was full, `prev` (newer, min_id)."""
        keep = {k: vals[0] for k, vals in params.items() if k not in ("max_id", "min_id", "since_id") and vals}
        links = []
        if full and last:
            links.append(f'<{self.base}{path}?{urlencode(keep | {"max_id": last})}>; rel="next"')
        if first:
            links.append(f'<{self.base}{path}?{urlencode(keep | {"min_id": first})}>; rel="prev"')
        return {"Link": ", ".join(links)} if links else {}

    @staticmethod
    def _window(items: list, ident, params: Params, limit: int) -> list:
        """Apply max_id / since_id / min_id to a newest-first list of (numeric id, item)."""
        max_id, since_id, min_id = (_int(_one(params, n)) for n in ("max_id", "since_id", "min_id"))
        if max_id is not None:
            items = [x for x in items if ident(x) < max_id]
        if since_id is not None:
            items = [x for x in items if ident(x) > since_id]
        if min_id is not None:  # the page just newer than min_id, still served newest first
            return list(reversed([x for x in reversed(items) if ident(x) > min_id][:limit]))
        return items[:limit]

    def account_statuses(self, acc, params: Params, path: str) -> Result:
        exclude_replies = (_one(params, "exclude_replies") or "").lower() in _TRUE
        exclude_reblogs = (_one(params, "exclude_reblogs") or "").lower() in _TRUE
        only_media = (_one(params, "only_media") or "").lower() in _TRUE
        if (_one(params, "pinned") or "").lower() in _TRUE:
            return 200, [], {}
        items: list[SPost | SInteraction] = []
        for post in self.index.authored[acc.key]:
            # exclude_replies keeps an author's replies to itself (threads), like Mastodon does.
            if exclude_replies and post.reply_to is not None and post.reply_to.author is not acc:
                continue
            if only_media and not post.image_alt:
                continue
            items.append(post)
        if not exclude_reblogs and not only_media:
            items.extend(self.index.by_actor[(acc.key, "repost")])
        items = [x for x in items if self.index.visible(x)]
        items.sort(key=lambda x: int(x.mid), reverse=True)
        limit = _limit(params, 20, 40)
        page = self._window(items, lambda x: int(x.mid), params, limit)
        body = [
            v.reblog(self.base, x, self.index) if isinstance(x, SInteraction) else v.status(self.base, x, self.index)
            for x in page
        ]
        first, last = (page[0].mid, page[-1].mid) if page else (None, None)
        return 200, body, self._link(path, params, first, last, len(page) == limit)

    def actors(self, post: SPost, kind: str, params: Params, path: str) -> Result:
        # Paged by the favourite's (or reblog's) own id, which clients must never build themselves.
        ident = (lambda x: x.seq) if kind == "like" else (lambda x: int(x.mid))
        items = [x for x in self.index.on_post[(post.key, kind)] if self.index.visible(x)]
        items.sort(key=ident, reverse=True)
        limit = _limit(params, 40, 80)
        page = self._window(items, ident, params, limit)
        body = [v.account(self.base, x.actor, self.index) for x in page]
        first, last = (str(ident(page[0])), str(ident(page[-1]))) if page else (None, None)
        return 200, body, self._link(path, params, first, last, len(page) == limit)

    def quotes(self, post: SPost, params: Params, path: str) -> Result:
        items = [p for p in self.index.quotes[post.key] if self.index.visible(p)]
        limit = _limit(params, 20, 40)
        page = self._window(items, lambda x: int(x.mid), params, limit)
        body = [v.status(self.base, p, self.index) for p in page]
        first, last = (page[0].mid, page[-1].mid) if page else (None, None)
        return 200, body, self._link(path, params, first, last, len(page) == limit)

    def context(self, post: SPost) -> dict:
        ancestors = []
        parent = post.reply_to
        while parent is not None and len(ancestors) < 40:  # unauthenticated cap
            if self.index.visible(parent):
                ancestors.append(v.status(self.base, parent, self.index))
            parent = parent.reply_to
        descendants: list[dict] = []

        def walk(node: SPost) -> None:
            for child in reversed(self.index.replies[node.key]):  # oldest first, depth first
                if len(descendants) >= 60 or not self.index.visible(child):
                    continue
                descendants.append(v.status(self.base, child, self.index))
                walk(child)

        walk(post)
        return {"ancestors": list(reversed(ancestors)), "descendants": descendants}
