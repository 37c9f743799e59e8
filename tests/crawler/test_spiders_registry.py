"""Every spider is registered under its file name, and its requests survive scrapy-redis serialisation."""

from __future__ import annotations

import json
import pickle

import pytest
from scrapy.utils.request import request_from_dict

from crawler.spiders import spider_class
from crawler.spiders.bluesky import BlueskySpider
from crawler.spiders.mastodon import MastodonSpider
from tests.crawler.mastodon_server import DATA
from tests.crawler.replay import make_spider, replay, split


@pytest.mark.parametrize("name, cls", [("bluesky", BlueskySpider), ("mastodon", MastodonSpider)])
def test_registry_names_match_files(name, cls):
    assert spider_class(name) is cls and cls.__module__ == f"crawler.spiders.{name}"


def test_unknown_spider_is_named():
    with pytest.raises(KeyError, match="known: bluesky, mastodon"):
        spider_class("friendster")


def roundtrip(spider, request):
    """What scrapy-redis does: request -> dict (callbacks by name) -> pickle -> request; meta is plain JSON."""
    json.dumps(request.meta)
    data = pickle.loads(pickle.dumps(request.to_dict(spider=spider)))
    assert isinstance(data["callback"], str)
    again = request_from_dict(data, spider=spider)
    assert (again.url, again.callback, again.errback, again.meta) == (request.url, request.callback,
                                                                      request.errback, request.meta)


def test_requests_serialise_for_scale_out():
    bsky = make_spider(BlueskySpider, accounts="asnsatu.test")
    world = json.loads((replay.__globals__["FIXTURES"] / "bluesky" / "world.json").read_text())
    did = world["actors"]["asnsatu"]["did"]
    out = split(bsky.parse_did_doc(replay("bluesky", "did_asnsatu", {"did": did, "handle": "asnsatu.test"})))
    records = split(bsky.parse_records(replay("bluesky", "records_like_asnsatu", out["request"][0].meta)))
    for request in out["request"] + records["request"]:
        roundtrip(bsky, request)
    masto = make_spider(MastodonSpider, instance="https://sawah.test", targets="bersinar01", token="rahasia")
    answer = DATA["statuses"]["page1"][1]
    [parent] = split(masto.map_status(answer, masto.now(), True))["request"]
    roundtrip(masto, parent)
    assert parent.headers["Authorization"] == b"Bearer rahasia" and "rahasia" not in json.dumps(masto.run_parameters)
