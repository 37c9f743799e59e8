"""Crawl stage: the Bluesky spider (AT Protocol XRPC, no login needed).

Post-centric (`actors`): each target's posts (getAuthorFeed), and for each post every page of its likers
(getLikes), reposters (getRepostedBy), quotes (getQuotes) and replies (getPostThread).
Account-centric (`accounts`): each account's posts, replies, reposts and quotes (getAuthorFeed), and its
likes and reposts from its own repository (listRecords on the PDS named in its DID document); the posts
it liked or reposted are fetched (getPosts) so they can be classified.

Every complete listing ends with a ScopeDone item, from which the store marks what vanished as removed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from crawler.items import ScopeDone
from crawler.mapping import bluesky as bsky
from crawler.spiders.base import NetralSpider, as_list
from crawler.timeparse import parse_time
from crawler.validate import AT_URI

PAGE = 100
GETPOSTS_MAX = 25
COUNT_FIELD = {"like": "likeCount", "repost": "repostCount", "quote": "quoteCount", "reply": "replyCount"}


class BlueskySpider(NetralSpider):
    name = "bluesky"
    platform = "bluesky"

    def __init__(self, *args, actors=None, accounts=None, appview=None, plc=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actors = as_list(actors)
        self.accounts = as_list(accounts)
        self._appview, self._plc = appview, plc
        self.run_parameters = {"actors": self.actors, "accounts": self.accounts}

    @property
    def appview(self) -> str:
        return (self._appview or self.settings.get("NETRAL_BLUESKY_APPVIEW")).rstrip("/")

    @property
    def plc(self) -> str:
        return (self._plc or self.settings.get("NETRAL_BLUESKY_PLC")).rstrip("/")

    def xrpc(self, base: str, method: str, **params) -> str:
        query = urlencode([(k, v) for k, v in params.items() if v is not None], doseq=True)
        return f"{base}/xrpc/{method}?{query}"

    async def start(self):
        # One profile request per actor, whichever ways it is crawled (the duplicate filter would drop a second).
        modes: dict[str, dict] = {}
        for actor in self.actors:
            modes.setdefault(actor.lstrip("@").lower(), {})["interactions"] = True
        for actor in self.accounts:
            modes.setdefault(actor.lstrip("@").lower(), {})["repo"] = True
        for actor, mode in modes.items():
            yield self.request(self.xrpc(self.appview, "app.bsky.actor.getProfile", actor=actor), self.parse_profile,
                               {"lookup": actor, **mode})

    def parse_profile(self, response):
        data = self.load_json(response)
        if data is None:
            return
        meta = response.meta
        try:
            actor = bsky.account(data, lookup_handle=None if meta["lookup"].startswith("did:") else meta["lookup"])
        except (KeyError, TypeError):
            self.count("malformed_profile")
            return
        yield actor
        key = f"bluesky:feed:{actor.platform_id}"
        yield self.feed_request(actor.platform_id, None, self.since_for(key), None, bool(meta.get("interactions")))
        if meta.get("repo"):
            did = actor.platform_id
            url = f"{self.plc}/{did}" if did.startswith("did:plc:") else self.did_web_url(did)
            yield self.request(url, self.parse_did_doc, {"did": did, "handle": actor.handle})

    @staticmethod
    def did_web_url(did: str) -> str:
        host = did[len("did:web:"):].replace("%3A", ":")
        return f"https://{host}/.well-known/did.json"

    # -- the author feed ---------------------------------------------------------------------------------

    def feed_request(self, did: str, cursor, since, newest, interactions: bool):
        url = self.xrpc(self.appview, "app.bsky.feed.getAuthorFeed", actor=did, limit=PAGE, cursor=cursor,
                        filter="posts_with_replies")
        return self.request(url, self.parse_feed, {"did": did, "since": since, "newest": newest,
                                                   "interactions": interactions})

    def parse_feed(self, response):
        data = self.load_json(response, expect="feed")
        if data is None:
            return
        meta = dict(response.meta)
        did, since, newest = meta["did"], meta["since"], meta["newest"]
        reached_old = False
        fetched_at = self.now()
        for entry in data["feed"]:
            try:
                items, when, own = bsky.feed_entry(entry, fetched_at)
                latest = self.newer(newest, when)
            except (KeyError, TypeError, ValueError, AttributeError):
                self.count("malformed_feed_entry")
                continue
            if self.older_than(when, since):
                reached_old = True  # the feed is newest first: the rest was checked by an earlier run
                break
            newest = latest
            yield from items
            if own and meta["interactions"]:
                yield from self.interaction_requests(entry["post"])
        if data.get("cursor") and not reached_old:
            yield self.feed_request(did, data["cursor"], since, newest, meta["interactions"])
            return
        yield ScopeDone(platform=self.platform, scope="actor", key=did, kinds=("post", "repost", "reply", "quote"),
                        since=since, cursor={"newest": newest}, cursor_key=f"bluesky:feed:{did}")

    # -- who interacted with a target's post --------------------------------------------------------------

    def interaction_requests(self, view: dict):
        uri = view["uri"]
        for kind, method, params in (
            ("like", "app.bsky.feed.getLikes", {"limit": PAGE}),
            ("repost", "app.bsky.feed.getRepostedBy", {"limit": PAGE}),
            ("quote", "app.bsky.feed.getQuotes", {"limit": PAGE}),
            ("reply", "app.bsky.feed.getPostThread", {"depth": 1, "parentHeight": 0}),
        ):
            if view.get(COUNT_FIELD[kind]) == 0:
                # Nothing to list: the listing is complete and empty (an un-like shows up here).
                yield ScopeDone(platform=self.platform, scope="target", key=uri, kinds=(kind,))
                continue
            yield self.request(self.xrpc(self.appview, method, uri=uri, **params), self.parse_interactions,
                               self.with_post({"uri": uri, "kind": kind, "method": method}, view))

    def parse_interactions(self, response):
        meta = response.meta
        kind, uri = meta["kind"], meta["uri"]
        expect = {"like": "likes", "repost": "repostedBy", "quote": "posts", "reply": None}[kind]
        data = self.load_json(response, expect=expect, lists=("thread.replies",) if kind == "reply" else ())
        if data is None:
            return
        more = bool(data.get("cursor")) and kind != "reply"
        if more:
            # Ask for the next page first: it downloads while this one is parsed and stored. Its ScopeDone
            # may then overtake a few of these items; the store applies scopes one batch late for that.
            url = self.xrpc(self.appview, meta["method"], uri=uri, limit=PAGE, cursor=data["cursor"])
            yield self.request(url, self.parse_interactions, {"uri": uri, "kind": kind, "method": meta["method"],
                                                              **({"post": meta["post"]} if "post" in meta else {})})
        fetched_at = self.now()
        if meta.get("post") is not None:
            yield bsky.post(meta["post"], fetched_at)  # mapped once already, by the process that queued this
        mapper = getattr(self, f"map_{kind}")
        for entry in (data[expect] if expect else self.thread_replies(data, uri)):
            try:
                yield from mapper(entry, uri, fetched_at)
            except (KeyError, TypeError, ValueError, AttributeError):
                self.count(f"malformed_{kind}")
        if not more:
            yield ScopeDone(platform=self.platform, scope="target", key=uri, kinds=(kind,))

    def thread_replies(self, data: dict, uri: str) -> list:
        thread = data.get("thread") or {}
        if thread.get("$type", "app.bsky.feed.defs#threadViewPost") != "app.bsky.feed.defs#threadViewPost":
            self.count("thread_unavailable")
            return []
        replies = thread.get("replies") or []
        return [r for r in replies if isinstance(r, dict) and "post" in r]

    def map_like(self, like: dict, uri: str, fetched_at):
        yield bsky.interaction("like", bsky.account(like["actor"]), uri, like, fetched_at, when=like.get("createdAt"))

    def map_repost(self, profile: dict, uri: str, fetched_at):
        yield bsky.interaction("repost", bsky.account(profile), uri, profile, fetched_at)

    def map_quote(self, view: dict, uri: str, fetched_at):
        item = bsky.post(view, fetched_at)
        yield item
        yield bsky.interaction("quote", item.author, uri, view, fetched_at, own_uri=item.platform_id,
                               when=view["record"].get("createdAt"))

    def map_reply(self, node: dict, uri: str, fetched_at):
        item = bsky.post(node["post"], fetched_at, raw=node)  # the thread node, as sent
        if item.reply_to_platform_id != uri:
            return
        yield item
        yield bsky.interaction("reply", item.author, uri, node, fetched_at, own_uri=item.platform_id,
                               when=node["post"]["record"].get("createdAt"))

    # -- what an account liked and reposted, from its own repository ---------------------------------------

    def parse_did_doc(self, response):
        doc = self.load_json(response, expect="service")
        if doc is None:
            return
        pds = next((s.get("serviceEndpoint") for s in doc["service"]
                    if isinstance(s, dict) and str(s.get("id", "")).endswith("#atproto_pds")), None)
        if not isinstance(pds, str) or not pds.startswith(("https://", "http://")):
            self.count("no_pds_in_did_doc")
            return
        did = response.meta["did"]
        for kind in ("like", "repost"):
            key = f"bluesky:{kind}s:{did}"
            yield self.records_request(pds.rstrip("/"), did, response.meta["handle"], kind, None,
                                       self.since_for(key), None)

    def records_request(self, pds, did, handle, kind, cursor, since, newest):
        url = self.xrpc(pds, "com.atproto.repo.listRecords", repo=did, collection=f"app.bsky.feed.{kind}",
                        limit=PAGE, cursor=cursor)
        return self.request(url, self.parse_records, {"pds": pds, "did": did, "handle": handle, "kind": kind,
                                                      "since": since, "newest": newest})

    def parse_records(self, response):
        data = self.load_json(response, expect="records")
        if data is None:
            return
        meta = dict(response.meta)
        records, reached_old = [], False
        for record in data["records"]:
            try:
                value = record["value"]
                subject, when = value["subject"]["uri"], value.get("createdAt")
                if not isinstance(subject, str) or not isinstance(record["uri"], str) \
                        or not AT_URI.match(subject) or not AT_URI.match(record["uri"]):
                    raise TypeError("uri")
                if when is not None:
                    parse_time(when)  # an unreadable time is a malformed record, not a reason to drop the page
            except (KeyError, TypeError, ValueError):
                self.count(f"malformed_{meta['kind']}_record")
                continue
            if self.older_than(when, meta["since"]):
                reached_old = True
                break
            meta["newest"] = self.newer(meta["newest"], when)
            records.append(record)
        meta["next_cursor"] = None if reached_old else data.get("cursor")
        yield from self.next_subjects(meta, records)

    def next_subjects(self, meta: dict, records: list):
        """Fetch the liked/reposted posts 25 at a time, in sequence, then the next page or the end.

        In sequence, so the listing's ScopeDone comes only after every interaction it covers.
        """
        if records:
            chunk, rest = records[:GETPOSTS_MAX], records[GETPOSTS_MAX:]
            uris = list(dict.fromkeys(r["value"]["subject"]["uri"] for r in chunk))
            url = self.xrpc(self.appview, "app.bsky.feed.getPosts", uris=uris)
            yield self.request(url, self.parse_subjects, {**meta, "chunk": chunk, "rest": rest}, dont_filter=True)
        elif meta.get("next_cursor"):
            yield self.records_request(meta["pds"], meta["did"], meta["handle"], meta["kind"], meta["next_cursor"],
                                       meta["since"], meta["newest"])
        else:
            did = meta["did"]
            yield ScopeDone(platform=self.platform, scope="actor", key=did, kinds=(meta["kind"],),
                            since=meta["since"], cursor={"newest": meta["newest"]},
                            cursor_key=f"bluesky:{meta['kind']}s:{did}")

    def parse_subjects(self, response):
        meta = {k: v for k, v in response.meta.items() if not k.startswith(("download_", "depth", "netral_"))}
        data = self.load_json(response, expect="posts")
        fetched_at = self.now()
        found = {}
        for view in (data or {}).get("posts", []):
            try:
                item = bsky.post(view, fetched_at)
            except (KeyError, TypeError, ValueError, AttributeError):
                self.count("malformed_post")
                continue
            found[item.platform_id] = item
            yield item
        actor = bsky.AccountItem(platform=self.platform, platform_id=meta["did"], handle=meta["handle"])
        for record in meta.pop("chunk"):
            subject = record["value"]["subject"]["uri"]
            if subject not in found:
                self.count(f"{meta['kind']}_subject_unavailable")  # deleted or hidden: nothing to attach it to
                continue
            yield bsky.interaction(meta["kind"], actor, subject, record, fetched_at, record_uri=record["uri"],
                                   when=record["value"].get("createdAt"))
        yield from self.next_subjects(meta, meta.pop("rest"))
