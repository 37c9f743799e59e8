"""Crawl stage: the Mastodon spider (REST API of one instance; token optional).

For each account (`accounts`, looked up with accounts/lookup): its statuses, boosts and replies included
(a boost is a repost; a reply's parent is fetched so the reply has a target; a 4.5 quote is a quote).
For target accounts (`targets`, post-centric) also each own status's favourited_by, reblogged_by and
context (direct replies). Paging only through the Link header. What others favourited is not available.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from crawler.items import ScopeDone
from crawler.mapping import mastodon as masto
from crawler.spiders.base import NetralSpider, as_list

PAGE_STATUSES = 40
PAGE_ACCOUNTS = 80
COUNT_FIELD = {"like": "favourites_count", "repost": "reblogs_count", "reply": "replies_count"}
LISTING = {"like": "favourited_by", "repost": "reblogged_by"}


class MastodonSpider(NetralSpider):
    name = "mastodon"
    platform = "mastodon"

    def __init__(self, *args, instance=None, targets=None, accounts=None, token=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._instance = instance
        self.targets = as_list(targets)
        self.accounts = as_list(accounts)
        self.token = token  # sent as a header only; never stored in the run's parameters or logged
        self.run_parameters = {"instance": instance, "targets": self.targets, "accounts": self.accounts,
                               "token": bool(token)}

    @property
    def instance(self) -> str:
        url = self._instance or self.settings.get("NETRAL_MASTODON_INSTANCE")
        if not url:
            raise ValueError("no Mastodon instance given")
        return url.rstrip("/")

    def api(self, path: str, **params) -> str:
        query = urlencode([(k, v) for k, v in params.items() if v is not None])
        return f"{self.instance}/api/v1/{path}" + (f"?{query}" if query else "")

    def request(self, url, callback, meta=None, **kwargs):
        if self.token:
            kwargs.setdefault("headers", {})["Authorization"] = f"Bearer {self.token}"
        return super().request(url, callback, meta, **kwargs)

    async def start(self):
        modes: dict[str, bool] = {}
        for acct in self.targets:
            modes[acct.lstrip("@").lower()] = True
        for acct in self.accounts:
            modes.setdefault(acct.lstrip("@").lower(), False)
        for acct, interactions in modes.items():
            yield self.request(self.api("accounts/lookup", acct=acct), self.parse_lookup,
                               {"lookup": acct, "interactions": interactions})

    def parse_lookup(self, response):
        data = self.load_json(response)
        if data is None:
            return
        try:
            actor = masto.account(data, lookup_handle=response.meta["lookup"])
            local_id = str(data["id"])
        except (KeyError, TypeError):
            self.count("malformed_account")
            return
        yield actor
        key = f"mastodon:statuses:{actor.platform_id}"
        url = self.api(f"accounts/{quote(local_id)}/statuses", limit=PAGE_STATUSES)
        yield self.request(url, self.parse_statuses, {"actor": actor.platform_id, "since": self.since_for(key),
                                                      "newest": None, "interactions": response.meta["interactions"]})

    def parse_statuses(self, response):
        statuses = self.load_list(response)
        if statuses is None:
            return
        meta = dict(response.meta)
        fetched_at = self.now()
        reached_old = False
        for status in statuses:
            try:
                when = status["created_at"]
                if self.older_than(when, meta["since"]):
                    reached_old = True  # newest first: the rest was checked by an earlier run
                    break
                meta["newest"] = self.newer(meta["newest"], when)
                yield from self.map_status(status, fetched_at, meta["interactions"])
            except (KeyError, TypeError, ValueError, AttributeError):
                self.count("malformed_status")
        nxt = masto.next_link(response.headers.get("Link"))
        if nxt and not reached_old:
            yield self.request(nxt, self.parse_statuses, {k: meta[k] for k in ("actor", "since", "newest",
                                                                               "interactions")})
            return
        # Replies are covered through their own posts: the reply interaction arrives after the parent fetch.
        yield ScopeDone(platform=self.platform, scope="actor", key=meta["actor"],
                        kinds=("post", "repost", "quote"), since=meta["since"],
                        cursor={"newest": meta["newest"]}, cursor_key=f"mastodon:statuses:{meta['actor']}")

    def map_status(self, status: dict, fetched_at, interactions: bool):
        if status.get("id") in (None, ""):  # a boost is stored through its reblog: check the wrapper too
            raise KeyError("id")
        if isinstance(status.get("reblog"), dict):
            target = masto.post(status["reblog"], fetched_at, raw=status)
            yield target
            yield masto.interaction("repost", masto.account(status["account"]), target.platform_id, status,
                                    fetched_at, record_uri=status.get("uri"), when=status.get("created_at"))
            return
        quoted = masto.quoted_status(status)
        yield masto.post(status, fetched_at)
        if status.get("in_reply_to_id"):
            # The reply names its parent only by local id: fetch it for the reply's target. The post itself
            # is stored now, so the account's listing is complete when its ScopeDone arrives.
            url = self.api(f"statuses/{quote(str(status['in_reply_to_id']))}")
            yield self.request(url, self.parse_parent, {"status": status})
        if quoted is not None:
            own = status["uri"]
            yield masto.post(quoted, fetched_at, raw=status)
            yield masto.interaction("quote", masto.account(status["account"]), quoted["uri"], status, fetched_at,
                                    own_uri=own, when=status.get("created_at"))
        if interactions:
            yield from self.interaction_requests(status)

    def parse_parent(self, response):
        status, fetched_at = response.meta["status"], self.now()
        parent = self.load_json(response)
        if parent is None:
            return
        try:
            parent_item = masto.post(parent, fetched_at)
        except (KeyError, TypeError):
            self.count("malformed_status")
            return
        reply = masto.post(status, fetched_at, reply_to_uri=parent_item.platform_id)
        yield parent_item
        yield reply
        yield masto.interaction("reply", reply.author, parent_item.platform_id, status, fetched_at,
                                own_uri=reply.platform_id, when=status.get("created_at"))

    # -- who interacted with a target's status ---------------------------------------------------------

    def interaction_requests(self, status: dict):
        local_id, uri = quote(str(status["id"])), status["uri"]
        for kind, listing in LISTING.items():
            if status.get(COUNT_FIELD[kind]) == 0:
                yield ScopeDone(platform=self.platform, scope="target", key=uri, kinds=(kind,))
                continue
            yield self.request(self.api(f"statuses/{local_id}/{listing}", limit=PAGE_ACCOUNTS),
                               self.parse_accounts, self.with_post({"uri": uri, "kind": kind}, status))
        if status.get(COUNT_FIELD["reply"]) == 0:
            yield ScopeDone(platform=self.platform, scope="target", key=uri, kinds=("reply",))
        else:
            yield self.request(self.api(f"statuses/{local_id}/context"), self.parse_context,
                               self.with_post({"uri": uri, "local_id": str(status["id"])}, status))

    def parse_accounts(self, response):
        meta = response.meta
        accounts = self.load_list(response)
        if accounts is None:
            return
        nxt = masto.next_link(response.headers.get("Link"))
        if nxt:  # first, so it downloads while this page is stored (scopes are applied one batch late)
            yield self.request(nxt, self.parse_accounts, {"uri": meta["uri"], "kind": meta["kind"],
                                                          **({"post": meta["post"]} if "post" in meta else {})})
        fetched_at = self.now()
        if meta.get("post") is not None:
            yield masto.post(meta["post"], fetched_at)  # scale-out: see NetralSpider.with_post
        for entity in accounts:
            try:
                yield masto.interaction(meta["kind"], masto.account(entity), meta["uri"], entity, fetched_at)
            except (KeyError, TypeError, AttributeError):
                self.count(f"malformed_{meta['kind']}")
        if not nxt:
            yield ScopeDone(platform=self.platform, scope="target", key=meta["uri"], kinds=(meta["kind"],))

    def parse_context(self, response):
        data = self.load_json(response, expect="descendants")
        if data is None:
            return
        meta, fetched_at = response.meta, self.now()
        if meta.get("post") is not None:
            yield masto.post(meta["post"], fetched_at)  # scale-out: see NetralSpider.with_post
        for status in data["descendants"]:
            try:
                if str(status.get("in_reply_to_id")) != meta["local_id"]:
                    continue  # replies to replies belong to their own parent
                reply = masto.post(status, fetched_at, reply_to_uri=meta["uri"])
                yield reply
                yield masto.interaction("reply", reply.author, meta["uri"], status, fetched_at,
                                        own_uri=reply.platform_id, when=status.get("created_at"))
            except (KeyError, TypeError, AttributeError):
                self.count("malformed_reply")
        yield ScopeDone(platform=self.platform, scope="target", key=meta["uri"], kinds=("reply",))
