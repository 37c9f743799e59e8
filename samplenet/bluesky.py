"""Sample network: Bluesky endpoints (AppView XRPC, PDS listRecords, PLC directory) over a scenario.

Each handler takes the query parameters and returns (HTTP status, JSON body). Errors use the XRPC shape
{"error", "message"}; paging uses opaque cursors, and no cursor means the last page (the PDS, like the
real one, returns a cursor on every non-empty page, so the last page of listRecords is empty).
"""

from __future__ import annotations

from collections.abc import Callable

from samplenet import bluesky_views as v
from samplenet.ids import iso_z, micros
from samplenet.index import BadCursor, Index, keyset_page
from samplenet.scenario import SInteraction, SPost

Params = dict[str, list[str]]
Result = tuple[int, dict]
COLLECTIONS = {"app.bsky.feed.post": "post", "app.bsky.feed.like": "like", "app.bsky.feed.repost": "repost"}


class XrpcError(Exception):
    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def _one(params: Params, name: str, required: bool = True) -> str | None:
    values = params.get(name) or []
    if not values or values[0] == "":
        if required:
            raise XrpcError(400, "InvalidRequest", f'Error: Params must have the property "{name}"')
        return None
    return values[0]


def _limit(params: Params, default: int, maximum: int = 100) -> int:
    raw = _one(params, "limit", required=False)
    if raw is None:
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise XrpcError(400, "InvalidRequest", "Error: limit must be an integer") from None
    if not 1 <= limit <= maximum:
        raise XrpcError(400, "InvalidRequest", f"Error: limit must be between 1 and {maximum}")
    return limit


def _sort_key(at, cid: str) -> str:
    return f"{micros(at) // 1000}::{cid}"


class Bluesky:
    """AppView + PDS + PLC for every Bluesky account of the scenario, all at one base URL."""

    def __init__(self, index: Index, base: str):
        self.index, self.base = index, base
        self.routes: dict[str, Callable[[Params], Result]] = {
            "com.atproto.identity.resolveHandle": self.resolve_handle,
            "app.bsky.actor.getProfile": self.get_profile,
            "app.bsky.feed.getAuthorFeed": self.get_author_feed,
            "app.bsky.feed.getPosts": self.get_posts,
            "app.bsky.feed.getLikes": self.get_likes,
            "app.bsky.feed.getRepostedBy": self.get_reposted_by,
            "app.bsky.feed.getQuotes": self.get_quotes,
            "app.bsky.feed.getPostThread": self.get_post_thread,
            "com.atproto.repo.listRecords": self.list_records,
        }

    def xrpc(self, nsid: str, params: Params) -> Result:
        handler = self.routes.get(nsid)
        if handler is None:
            return 501, {"error": "MethodNotImplemented", "message": "Method Not Implemented"}
        try:
            return handler(params)
        except XrpcError as exc:
            return exc.status, {"error": exc.error, "message": exc.message}
        except BadCursor:
            return 400, {"error": "InvalidRequest", "message": "Malformed cursor"}

    def plc(self, did: str) -> Result:
        acc = self.index.by_did.get(did)
        if acc is None:
            return 404, {"message": f"DID not registered: {did}"}
        return 200, v.did_document(self.base, acc)

    # --- helpers ---
    def _actor(self, params: Params, name: str = "actor"):
        ref = _one(params, name)
        acc = self.index.account("bluesky", ref)
        if acc is None:
            raise XrpcError(400, "InvalidRequest", "Profile not found")
        return acc

    def _post(self, params: Params) -> SPost:
        uri = _one(params, "uri")
        post = self.index.post_by_uri.get(uri)
        if post is None or not self.index.visible(post):
            raise XrpcError(400, "NotFound", f"Post not found: {uri}")
        return post

    def _page(self, items: list, params: Params, key, default: int = 50, name: str = "") -> tuple[list, dict]:
        limit = _limit(params, default)
        page, last, more = keyset_page(
            items, key, _one(params, "cursor", required=False), limit, self.index.visible, self.index.positions, name
        )
        return page, ({"cursor": last} if more and last else {})

    # --- endpoints ---
    def resolve_handle(self, params: Params) -> Result:
        acc = self.index.account("bluesky", _one(params, "handle"))
        if acc is None:
            raise XrpcError(400, "InvalidRequest", "Unable to resolve handle")
        return 200, {"did": acc.did}

    def get_profile(self, params: Params) -> Result:
        return 200, v.profile_detailed(self.base, self._actor(params), self.index)

    def get_author_feed(self, params: Params) -> Result:
        acc = self._actor(params)
        mode = _one(params, "filter", required=False) or "posts_with_replies"
        cache_name = f"feed:{acc.key}:{mode}"
        feed_items = self.index.positions.get(("feedlist", cache_name))
        if feed_items is None:
            feed_items = self._feed_list(acc, mode)
            self.index.positions[("feedlist", cache_name)] = feed_items
        page, cursor = self._page(feed_items, params, self._feed_key, name=cache_name)
        return 200, {"feed": [self._feed_item(x) for x in page], **cursor}

    def _feed_list(self, acc, mode: str) -> list:
        """The author's posts (filtered like the AppView's `filter`) and reposts, newest first."""
        entries: list = []
        for post in self.index.authored[acc.key]:
            if mode in ("posts_no_replies", "posts_and_author_threads") and post.reply_to is not None:
                if mode == "posts_no_replies" or post.root.author is not acc:
                    continue
            if mode == "posts_with_media" and not post.image_alt:
                continue
            entries.append(post)
        if mode != "posts_with_media":
            entries.extend(self.index.by_actor[(acc.key, "repost")])
        entries.sort(key=self._feed_key, reverse=True)
        return entries

    @staticmethod
    def _feed_key(item) -> str:
        return _sort_key(item.at, item.cid)

    def _feed_item(self, item: SPost | SInteraction) -> dict:
        if isinstance(item, SInteraction):
            return {
                "post": v.post_view(self.base, item.post, self.index),
                "reason": {
                    "$type": "app.bsky.feed.defs#reasonRepost",
                    "by": v.profile_basic(self.base, item.actor),
                    "uri": item.uri,
                    "cid": item.cid,
                    "indexedAt": iso_z(item.at + v.INDEX_DELAY),
                },
            }
        entry: dict = {"post": v.post_view(self.base, item, self.index)}
        if item.reply_to is not None:
            entry["reply"] = v.reply_ref(self.base, item, self.index)
        return entry

    def get_posts(self, params: Params) -> Result:
        uris = params.get("uris") or []
        if len(uris) > 25:
            raise XrpcError(400, "InvalidRequest", "Error: uris must not have more than 25 elements")
        posts = [self.index.post_by_uri.get(u) for u in uris]
        return 200, {"posts": [v.post_view(self.base, p, self.index) for p in posts if p and self.index.visible(p)]}

    def get_likes(self, params: Params) -> Result:
        post = self._post(params)
        page, cursor = self._page(self.index.on_post[(post.key, "like")], params, self._feed_key, name="like")
        likes = [
            {"indexedAt": iso_z(x.at + v.INDEX_DELAY), "createdAt": iso_z(x.at),
             "actor": v.profile_view(self.base, x.actor)}
            for x in page
        ]
        return 200, {"uri": post.uri, "cid": post.cid, **cursor, "likes": likes}

    def get_reposted_by(self, params: Params) -> Result:
        post = self._post(params)
        page, cursor = self._page(self.index.on_post[(post.key, "repost")], params, self._feed_key, name="repost")
        return 200, {"uri": post.uri, "cid": post.cid, **cursor,
                     "repostedBy": [v.profile_view(self.base, x.actor) for x in page]}

    def get_quotes(self, params: Params) -> Result:
        post = self._post(params)
        page, cursor = self._page(self.index.quotes[post.key], params, self._feed_key, name="quote")
        return 200, {"uri": post.uri, "cid": post.cid, **cursor,
                     "posts": [v.post_view(self.base, p, self.index) for p in page]}

    def get_post_thread(self, params: Params) -> Result:
        post = self._post(params)
        depth = min(int(_one(params, "depth", required=False) or 6), 1000)
        height = min(int(_one(params, "parentHeight", required=False) or 80), 1000)
        return 200, {"thread": v.thread_view(self.base, post, self.index, depth, height)}

    def list_records(self, params: Params) -> Result:
        acc = self._actor(params, "repo")
        collection = _one(params, "collection")
        kind = COLLECTIONS.get(collection)
        if kind is None:
            return 200, {"records": []}  # an unknown collection is simply empty on a real PDS
        limit = _limit(params, 50)
        items = self.index.authored[acc.key] if kind == "post" else self.index.by_actor[(acc.key, kind)]
        oldest_first = (_one(params, "reverse", required=False) or "").lower() == "true"
        items = sorted(items, key=lambda x: x.rkey, reverse=not oldest_first)  # by record key, newest first
        cursor = _one(params, "cursor", required=False)
        if cursor:
            items = [x for x in items if (x.rkey > cursor if oldest_first else x.rkey < cursor)]
        page = [x for x in items if self.index.visible(x)][:limit]
        records = [{"uri": x.uri, "cid": x.cid, "value": x.record} for x in page]
        return 200, {"records": records, **({"cursor": page[-1].rkey} if page else {})}
