"""Offline tests of the Bluesky spider on responses recorded from a real dev-env network."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.spiders.bluesky import BlueskySpider
from tests.crawler.replay import errors, make_spider, recorded, replay, response, split

WORLD = json.loads((recorded.__globals__["FIXTURES"] / "bluesky" / "world.json").read_text())
DID = {name: a["did"] for name, a in WORLD["actors"].items()}
URI = {name: rec["uri"] for name, rec in WORLD["records"].items()}


@pytest.fixture
def spider():
    return make_spider(BlueskySpider, actors="kandidatsatu.test", appview="http://appview.test",
                       plc="http://plc.test")


def query(request) -> dict:
    parts = urlsplit(request.url)
    return {"method": parts.path.rsplit("/", 1)[-1], **{k: v if len(v) > 1 else v[0]
                                                         for k, v in parse_qs(parts.query).items()}}


def test_profile_yields_account_and_feed_then_repository_requests(spider):
    out = split(spider.parse_profile(replay("bluesky", "profile_kandidat",
                                            {"lookup": "kandidatsatu.test", "interactions": True, "repo": True})))
    [account] = out["account"]
    assert (account.platform_id, account.handle, account.lookup_handle) == (
        DID["kandidatsatu"], "kandidatsatu.test", "kandidatsatu.test")
    feed, did_doc = out["request"]
    assert query(feed) == {"method": "app.bsky.feed.getAuthorFeed", "actor": DID["kandidatsatu"], "limit": "100",
                           "filter": "posts_with_replies"}
    assert did_doc.url == f"http://plc.test/{DID['kandidatsatu']}"


def test_candidate_feed_yields_posts_and_asks_who_interacted(spider):
    meta = {"did": DID["kandidatsatu"], "since": None, "newest": None, "interactions": True}
    out = split(spider.parse_feed(replay("bluesky", "feed_kandidat", meta)))
    assert {p.platform_id for p in out["post"]} == {URI["campaign"], URI["schedule"]}
    asked = {(query(r)["method"], query(r)["uri"]) for r in out["request"]}
    assert asked == {(m, URI["campaign"]) for m in ("app.bsky.feed.getLikes", "app.bsky.feed.getRepostedBy",
                                                    "app.bsky.feed.getQuotes", "app.bsky.feed.getPostThread")}
    # The schedule post has no likes, reposts, quotes or replies: its listings are complete and empty.
    empty = {(s.key, s.kinds) for s in out["scope"] if s.scope == "target"}
    assert empty == {(URI["schedule"], (k,)) for k in ("like", "repost", "quote", "reply")}
    [done] = [s for s in out["scope"] if s.scope == "actor"]
    assert done.key == DID["kandidatsatu"] and done.cursor["newest"] and done.since is None


def test_account_feed_maps_reposts_and_quotes_to_interactions(spider):
    meta = {"did": DID["asnsatu"], "since": None, "newest": None, "interactions": False}
    out = split(spider.parse_feed(replay("bluesky", "feed_asnsatu", meta)))
    got = {(i.kind, i.actor.platform_id, i.target_platform_id, i.own_post_platform_id) for i in out["interaction"]}
    assert got == {("repost", DID["asnsatu"], URI["campaign"], None),
                   ("quote", DID["asnsatu"], URI["campaign"], URI["quote_asn"])}
    assert URI["campaign"] in {p.platform_id for p in out["post"]}  # the target travels with the interaction
    assert not out["request"]


def test_likes_all_pages_then_scope_done(spider):
    meta = {"uri": URI["campaign"], "kind": "like", "method": "app.bsky.feed.getLikes"}
    first = split(spider.parse_interactions(replay("bluesky", "likes_campaign_page1", meta)))
    assert len(first["interaction"]) == 2 and not first["scope"]
    [next_page] = first["request"]
    assert query(next_page)["cursor"] == json.loads(recorded("bluesky", "likes_campaign_page1")["body"])["cursor"]
    second = split(spider.parse_interactions(replay("bluesky", "likes_campaign_page2", meta)))
    likers = {i.actor.platform_id for i in first["interaction"] + second["interaction"]}
    assert likers == {DID["asnsatu"], DID["asndua"], DID["wargasatu"]}
    assert [(s.scope, s.key, s.kinds) for s in second["scope"]] == [("target", URI["campaign"], ("like",))]
    like = second["interaction"][0]
    assert json.loads(like.raw_json)["actor"]["did"] == like.actor.platform_id and like.occurred_at


@pytest.mark.parametrize("name, kind, method, expected", [
    ("repostedby_campaign", "repost", "app.bsky.feed.getRepostedBy", {("asnsatu", None)}),
    ("quotes_campaign", "quote", "app.bsky.feed.getQuotes", {("asnsatu", "quote_asn")}),
    ("thread_campaign", "reply", "app.bsky.feed.getPostThread", {("asndua", "reply_asndua")}),
])
def test_reposts_quotes_replies(spider, name, kind, method, expected):
    out = split(spider.parse_interactions(replay("bluesky", name, {"uri": URI["campaign"], "kind": kind,
                                                                   "method": method})))
    names = {v: k for k, v in DID.items()}
    posts = {v: k for k, v in URI.items()}
    assert {(names[i.actor.platform_id], posts.get(i.own_post_platform_id)) for i in out["interaction"]} == expected
    assert all(i.kind == kind and i.target_platform_id == URI["campaign"] for i in out["interaction"])
    assert [s.kinds for s in out["scope"]] == [(kind,)]


def test_repository_likes_fetch_the_liked_posts_then_store_with_record_ids(spider):
    meta = {"did": DID["asnsatu"], "handle": "asnsatu.test"}
    out = split(spider.parse_did_doc(replay("bluesky", "did_asnsatu", meta)))
    assert {query(r)["collection"] for r in out["request"]} == {"app.bsky.feed.like", "app.bsky.feed.repost"}
    assert all(r.url.startswith(WORLD["pds"]) for r in out["request"])
    like_request = next(r for r in out["request"] if query(r)["collection"] == "app.bsky.feed.like")
    out = split(spider.parse_records(replay("bluesky", "records_like_asnsatu", like_request.meta)))
    [get_posts] = out["request"]
    assert set(query(get_posts)["uris"]) == {URI["campaign"], URI["weather"]}
    rec = recorded("bluesky", "posts_liked_by_asnsatu")
    out = split(spider.parse_subjects(response(rec["url"], rec["body"], get_posts.meta)))
    assert {p.platform_id for p in out["post"]} == {URI["campaign"], URI["weather"]}
    assert {(i.target_platform_id, i.platform_id) for i in out["interaction"]} == {
        (URI["campaign"], URI["like_asn"]), (URI["weather"], URI["like_weather"])}
    # The PDS hands out a cursor even on its last page: the spider asks once more and finds nothing.
    [next_page] = out["request"]
    assert query(next_page)["method"] == "com.atproto.repo.listRecords" and query(next_page)["cursor"]
    out = split(spider.parse_records(response(next_page.url, '{"records": []}', next_page.meta)))
    [done] = out["scope"]
    assert (done.scope, done.key, done.kinds, done.cursor_key) == (
        "actor", DID["asnsatu"], ("like",), f"bluesky:likes:{DID['asnsatu']}")


def test_malformed_payloads_are_counted_and_the_rest_kept(spider):
    body = json.loads(recorded("bluesky", "feed_kandidat")["body"])
    body["feed"].insert(0, {"post": {"uri": 42}})  # no author, no record
    meta = {"did": DID["kandidatsatu"], "since": None, "newest": None, "interactions": False}
    out = split(spider.parse_feed(response("http://appview.test/x", json.dumps(body), meta)))
    assert len(out["post"]) == 2 and out["scope"]
    assert list(split(spider.parse_feed(response("http://appview.test/x", "<html>oops", meta))).values()) == [[]] * 5
    assert list(split(spider.parse_feed(response("http://appview.test/x", '{"feed": 3}', meta))).values()) == [[]] * 5
    assert errors(spider) == {"malformed_feed_entry": 1, "malformed_json": 1, "unexpected_payload": 1}


def test_incremental_run_stops_at_the_recheck_window(spider):
    spider.cursor_state = {f"bluesky:feed:{DID['kandidatsatu']}": {"newest": "2999-01-01T00:00:00Z"}}
    since = spider.since_for(f"bluesky:feed:{DID['kandidatsatu']}")
    assert since.startswith("2998-12-25")  # seven days back by default
    meta = {"did": DID["kandidatsatu"], "since": since, "newest": None, "interactions": True}
    out = split(spider.parse_feed(replay("bluesky", "feed_kandidat", meta)))
    assert not out["post"] and not out["request"]
    [done] = out["scope"]
    assert done.since == since
