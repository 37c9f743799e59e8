"""Evidence: the spiders keep each listed object's text exactly as the platform sent it."""

from __future__ import annotations

import hashlib
import json

import pytest

from crawler.spiders.bluesky import BlueskySpider
from crawler.spiders.mastodon import MastodonSpider
from crawler.verbatim import loads
from tests.crawler.replay import make_spider, recorded, response, split


def test_loads_parses_like_json_and_keeps_each_listed_object_text():
    text = ('{"cursor": "c1",  "likes": [ {"actor": {"did": "did:plc:a"}, "note": "\\u003cp\\u003e"} ,'
            '{"actor":{"did":"did:plc:b"}} , 3 ], "uri": "at://x"}')
    data = loads(text, ("likes",))
    assert data == json.loads(text)
    assert [getattr(x, "source_text", None) for x in data["likes"]] == [
        '{"actor": {"did": "did:plc:a"}, "note": "\\u003cp\\u003e"}', '{"actor":{"did":"did:plc:b"}}', None]
    assert data.source_text == text
    assert loads(' [{"a" : 1}]\n')[0].source_text == '{"a" : 1}'


@pytest.mark.parametrize("bad", ['{"likes": [{"a": 1} {"b": 2}]}', '{"likes": [1,]}', '{"a": 1,}', '{"a" 1}',
                                 '[1] x', '', '{"likes": [1, 2', '{1: 2}', '[{"a": 1},'])
def test_loads_refuses_what_json_refuses(bad):
    with pytest.raises(ValueError):
        loads(bad, ("likes",))


def test_bluesky_likes_store_the_page_text_of_each_like():
    spider = make_spider(BlueskySpider, actors="kandidatsatu.test", appview="http://appview.test", plc="http://plc.test")
    rec = recorded("bluesky", "likes_campaign_page2")
    # Re-indent the recorded page: stored evidence must follow the bytes, not a re-serialisation.
    body = json.dumps(json.loads(rec["body"]), indent=2, ensure_ascii=True)
    meta = {"uri": json.loads(rec["body"])["uri"], "kind": "like", "method": "app.bsky.feed.getLikes"}
    likes = split(spider.parse_interactions(response(rec["url"], body, meta)))["interaction"]
    assert likes
    for like in likes:
        assert like.raw_json in body and like.raw_json.startswith("{\n")
        assert json.loads(like.raw_json)["actor"]["did"] == like.actor.platform_id


def test_bluesky_feed_posts_keep_their_feed_entry_text():
    spider = make_spider(BlueskySpider, actors="kandidatsatu.test", appview="http://appview.test", plc="http://plc.test")
    rec = recorded("bluesky", "feed_asnsatu")
    body = json.dumps(json.loads(rec["body"]), indent=1)
    meta = {"did": "did:plc:x", "since": None, "newest": None, "interactions": False}
    out = split(spider.parse_feed(response(rec["url"], body, meta)))
    listed = {e["post"]["uri"] for e in json.loads(body)["feed"]}
    # The whole entry, as sent (indented here), is each listed post's evidence; a post shown again inside
    # another (a quoted post) is an extra capture of it.
    verbatim = {p.platform_id for p in out["post"] if p.raw_json.startswith("{\n") and p.raw_json in body
                and json.loads(p.raw_json)["post"]["uri"] == p.platform_id}
    assert verbatim == listed


def test_mastodon_statuses_keep_rails_escaping_and_hash_the_sent_bytes():
    spider = make_spider(MastodonSpider, instance="http://masto.test")
    status = {"id": "1", "uri": "http://masto.test/users/a/statuses/1", "url": "http://masto.test/@a/1",
              "created_at": "2024-11-01T03:00:00.000Z", "content": "<p>Pilih 01 & menang</p>", "language": "id",
              "account": {"id": "9", "acct": "a", "uri": "http://masto.test/users/a", "url": "http://masto.test/@a",
                          "created_at": "2024-01-01T00:00:00.000Z"},
              "reblog": None, "replies_count": 0, "reblogs_count": 0, "favourites_count": 0}
    # Rails escapes <, > and & inside strings; a re-serialisation would not.
    element = json.dumps(status, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")
    body = f"[{element}]"
    meta = {"actor": "http://masto.test/users/a", "since": None, "newest": None, "interactions": False}
    [post] = split(spider.parse_statuses(response("http://masto.test/api/v1/accounts/9/statuses", body, meta)))["post"]
    assert post.raw_json == element
    assert hashlib.sha256(element.encode()).hexdigest() == hashlib.sha256(post.raw_json.encode()).hexdigest()


def test_loads_follows_dotted_paths_into_nested_objects():
    text = '{"thread": {"post": {"uri": "p"}, "replies": [ {"post": {"uri": "r1"}} ,{"post":{"uri":"r2"}}]}}'
    data = loads(text, ("thread.replies",))
    assert data == json.loads(text)
    assert [r.source_text for r in data["thread"]["replies"]] == ['{"post": {"uri": "r1"}}', '{"post":{"uri":"r2"}}']
    assert not hasattr(data["thread"]["post"], "source_text")


def test_bluesky_thread_replies_store_their_thread_node_text():
    spider = make_spider(BlueskySpider, actors="kandidatsatu.test", appview="http://appview.test", plc="http://plc.test")
    rec = recorded("bluesky", "thread_campaign")
    body = json.dumps(json.loads(rec["body"]), indent=1)
    uri = json.loads(body)["thread"]["post"]["uri"]
    meta = {"uri": uri, "kind": "reply", "method": "app.bsky.feed.getPostThread"}
    out = split(spider.parse_interactions(response(rec["url"], body, meta)))
    assert out["interaction"]
    for reply in out["interaction"]:
        assert reply.raw_json.startswith("{\n") and reply.raw_json in body
        assert json.loads(reply.raw_json)["post"]["uri"] == reply.own_post_platform_id
    replies = [p for p in out["post"] if p.platform_id in {i.own_post_platform_id for i in out["interaction"]}]
    assert len(replies) == len(out["interaction"])
    for post in replies:  # the reply post's evidence is its thread node too, as sent
        assert post.raw_json.startswith("{\n") and post.raw_json in body
