"""Record the Bluesky responses the offline spider tests replay, from the real network on loopback.

Run: .venv/bin/python -m tests.e2e.bluesky_network.record_fixtures   (writes tests/fixtures/bluesky/)
Each file holds the request URL, status, headers and the body exactly as the server sent it.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from tests.e2e.bluesky_network import scenario
from tests.e2e.bluesky_network.net import BlueskyNetwork

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "bluesky"


def fetch(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read().decode("utf-8")
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith(("content-type", "ratelimit"))}
        return {"url": url, "status": response.status, "headers": headers, "body": body}


def main() -> None:
    net = BlueskyNetwork.start()
    try:
        world = scenario.build(net)
        a, r = world.actors, world.records
        campaign = r["campaign"]["uri"]

        def xrpc(base: str, method: str, **params) -> str:
            return f"{base}/xrpc/{method}?{urlencode(params, doseq=True)}"

        likes_page1 = fetch(xrpc(net.appview, "app.bsky.feed.getLikes", uri=campaign, limit=2))
        cursor = json.loads(likes_page1["body"]).get("cursor")
        did_doc = fetch(f"{net.plc}/{a['asnsatu'].did}")
        pds = next(s["serviceEndpoint"] for s in json.loads(did_doc["body"])["service"]
                   if s["id"].endswith("#atproto_pds"))
        records = fetch(xrpc(pds, "com.atproto.repo.listRecords", repo=a["asnsatu"].did,
                             collection="app.bsky.feed.like", limit=100))
        subjects = [rec["value"]["subject"]["uri"] for rec in json.loads(records["body"])["records"]]
        recorded = {
            "profile_kandidat": fetch(xrpc(net.appview, "app.bsky.actor.getProfile", actor="kandidatsatu.test")),
            "feed_kandidat": fetch(xrpc(net.appview, "app.bsky.feed.getAuthorFeed", actor=a["kandidatsatu"].did,
                                        limit=100, filter="posts_with_replies")),
            "feed_asnsatu": fetch(xrpc(net.appview, "app.bsky.feed.getAuthorFeed", actor=a["asnsatu"].did,
                                       limit=100, filter="posts_with_replies")),
            "likes_campaign": fetch(xrpc(net.appview, "app.bsky.feed.getLikes", uri=campaign, limit=100)),
            "likes_campaign_page1": likes_page1,
            "likes_campaign_page2": fetch(xrpc(net.appview, "app.bsky.feed.getLikes", uri=campaign, limit=2,
                                               cursor=cursor)),
            "repostedby_campaign": fetch(xrpc(net.appview, "app.bsky.feed.getRepostedBy", uri=campaign, limit=100)),
            "quotes_campaign": fetch(xrpc(net.appview, "app.bsky.feed.getQuotes", uri=campaign, limit=100)),
            "thread_campaign": fetch(xrpc(net.appview, "app.bsky.feed.getPostThread", uri=campaign, depth=1,
                                          parentHeight=0)),
            "did_asnsatu": did_doc,
            "records_like_asnsatu": records,
            "posts_liked_by_asnsatu": fetch(xrpc(net.appview, "app.bsky.feed.getPosts", uris=subjects)),
        }
        OUT.mkdir(parents=True, exist_ok=True)
        for name, response in recorded.items():
            (OUT / f"{name}.json").write_text(json.dumps(response, indent=1, ensure_ascii=False) + "\n")
        world_file = {"actors": {n: {"did": x.did, "handle": x.handle} for n, x in a.items()},
                      "records": r, "appview": net.appview, "plc": net.plc, "pds": pds}
        (OUT / "world.json").write_text(json.dumps(world_file, indent=1) + "\n")
        print(f"Recorded {len(recorded)} responses into {OUT}")
    finally:
        net.stop()


if __name__ == "__main__":
    main()
