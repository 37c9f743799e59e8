"""Sample network: answers in the Bluesky and Mastodon formats, pages to the end, injects faults on demand."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from samplenet import Faults, SampleNetwork, ScenarioError, parse_scenario

SMALL = {
    "name": "tiny",
    "accounts": [
        {"key": "cand", "platform": "bluesky", "handle": "cand01.test", "name": "Calon 01", "bio": "Akun resmi"},
        {"key": "asn", "platform": "bluesky", "handle": "guru.test", "name": "Bu Guru", "bio": "Guru SD, PNS"},
        *[{"key": f"w{i}", "platform": "bluesky", "handle": f"warga{i}.test"} for i in range(7)],
        {"key": "m_cand", "platform": "mastodon", "handle": "cand01", "name": "Calon 01"},
        {"key": "m_asn", "platform": "mastodon", "handle": "pak_camat", "bio": "Staf <b>kecamatan</b>"},
        *[{"key": f"mw{i}", "platform": "mastodon", "handle": f"mwarga{i}"} for i in range(5)],
    ],
    "posts": [
        {"key": "p1", "by": "cand", "at": "2024-10-01 09:00", "text": "Ayo dukung #Bersinar01!",
         "likes": ["asn", "w0", "w1", "w2", "w3", "w4", "w5", "w6"], "reposts": ["asn@2024-11-25 21:00", "w1"]},
        {"key": "p2", "by": "cand", "at": "2024-10-02 09:00", "text": "Kampanye di Talawi", "image_alt": "Baliho 01"},
        {"key": "r1", "by": "asn", "at": "2024-10-01 10:00", "text": "Mantap, lanjutkan!", "reply_to": "p1"},
        {"key": "r2", "by": "w0", "at": "2024-10-01 11:00", "text": "Setuju", "reply_to": "r1"},
        {"key": "q1", "by": "w2", "at": "2024-10-03 10:00", "text": "Lihat ini", "quote_of": "p1"},
        {"key": "m1", "by": "m_cand", "at": "2024-10-01 09:00", "text": "Pilih 01 <script>x</script> #Bersinar01",
         "likes": ["m_asn", "mw0", "mw1", "mw2", "mw3", "mw4"], "reposts": ["m_asn"]},
        {"key": "m2", "by": "m_asn", "at": "2024-10-01 12:00", "text": "Siap mendukung", "reply_to": "m1"},
        {"key": "m3", "by": "mw0", "at": "2024-10-02 12:00", "text": "Hmm", "quote_of": "m1"},
    ],
}


@pytest.fixture
def net():
    with SampleNetwork(parse_scenario(SMALL)) as network:
        yield network


def get(url: str) -> tuple[int, dict, object]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as err:
        body = err.read()
        try:
            return err.code, dict(err.headers), json.loads(body)
        except ValueError:
            return err.code, dict(err.headers), body


def xrpc(net, nsid: str, **params) -> tuple[int, dict, dict]:
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
    return get(f"{net.url}/xrpc/{nsid}?{query}")


def test_identity_chain_leads_back_to_this_server(net):
    status, headers, body = xrpc(net, "com.atproto.identity.resolveHandle", handle="guru.test")
    assert status == 200 and body["did"].startswith("did:plc:") and len(body["did"]) == 32
    assert headers["RateLimit-Policy"] == "3000;w=300"
    _, _, doc = get(f"{net.url}/{body['did']}")
    assert doc["alsoKnownAs"] == ["at://guru.test"]
    assert doc["service"][0] == {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": net.url}
    status, _, err = xrpc(net, "com.atproto.identity.resolveHandle", handle="nobody.test")
    assert status == 400 and err["error"] == "InvalidRequest"


def test_author_feed_has_replies_reposts_and_quotes(net):
    _, _, feed = xrpc(net, "app.bsky.feed.getAuthorFeed", actor="guru.test")
    kinds = [("reason" in f, "reply" in f) for f in feed["feed"]]
    assert (True, False) in kinds and (False, True) in kinds
    repost = next(f for f in feed["feed"] if "reason" in f)
    assert repost["reason"]["$type"] == "app.bsky.feed.defs#reasonRepost"
    assert repost["reason"]["by"]["handle"] == "guru.test" and repost["post"]["author"]["handle"] == "cand01.test"
    reply = next(f for f in feed["feed"] if "reply" in f)
    assert reply["reply"]["parent"]["$type"] == "app.bsky.feed.defs#postView"
    assert reply["post"]["record"]["reply"]["root"]["uri"] == reply["reply"]["root"]["uri"]
    _, _, quoter = xrpc(net, "app.bsky.feed.getAuthorFeed", actor="warga2.test")
    embed = quoter["feed"][0]["post"]["embed"]
    assert embed["$type"] == "app.bsky.embed.record#view" and embed["record"]["author"]["handle"] == "cand01.test"
    _, _, noreply = xrpc(net, "app.bsky.feed.getAuthorFeed", actor="guru.test", filter="posts_no_replies")
    assert all("reply" not in f for f in noreply["feed"])


def test_likes_page_to_the_end_with_cursors(net):
    _, _, feed = xrpc(net, "app.bsky.feed.getAuthorFeed", actor="cand01.test", limit=1)
    assert len(feed["feed"]) == 1 and "cursor" in feed
    post = next(f["post"] for f in xrpc(net, "app.bsky.feed.getAuthorFeed", actor="cand01.test")[2]["feed"]
                if f["post"]["record"]["text"].startswith("Ayo"))
    assert post["likeCount"] == 8 and post["repostCount"] == 2 and post["replyCount"] == 1 and post["quoteCount"] == 1
    assert post["record"]["facets"][0]["features"][0] == {"$type": "app.bsky.richtext.facet#tag", "tag": "Bersinar01"}
    seen, cursor = [], None
    while True:
        params = {"uri": post["uri"], "limit": 3} | ({"cursor": cursor} if cursor else {})
        status, _, page = xrpc(net, "app.bsky.feed.getLikes", **params)
        assert status == 200 and len(page["likes"]) <= 3
        seen += [like["actor"]["did"] for like in page["likes"]]
        cursor = page.get("cursor")
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 8
    _, _, reposts = xrpc(net, "app.bsky.feed.getRepostedBy", uri=post["uri"])
    assert {p["handle"] for p in reposts["repostedBy"]} == {"guru.test", "warga1.test"}
    _, _, quotes = xrpc(net, "app.bsky.feed.getQuotes", uri=post["uri"])
    assert quotes["posts"][0]["author"]["handle"] == "warga2.test"
    _, _, thread = xrpc(net, "app.bsky.feed.getPostThread", uri=post["uri"])
    reply = thread["thread"]["replies"][0]
    assert reply["post"]["author"]["handle"] == "guru.test"
    assert reply["replies"][0]["post"]["author"]["handle"] == "warga0.test"
    assert xrpc(net, "app.bsky.feed.getLikes", uri=post["uri"], limit=500)[0] == 400
    assert xrpc(net, "app.bsky.feed.getLikes", uri=post["uri"], cursor="bogus")[0] == 400


def test_pds_list_records_and_deletion(net):
    did = xrpc(net, "com.atproto.identity.resolveHandle", handle="guru.test")[2]["did"]
    _, _, likes = xrpc(net, "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.like", limit=1)
    rec = likes["records"][0]
    assert rec["uri"].startswith(f"at://{did}/app.bsky.feed.like/") and rec["value"]["$type"] == "app.bsky.feed.like"
    assert set(rec["value"]["subject"]) == {"uri", "cid"} and "cursor" in likes
    _, _, last = xrpc(net, "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.like",
                      limit=1, cursor=likes["cursor"])
    assert last == {"records": []}  # a real PDS ends with an empty page
    _, _, reposts = xrpc(net, "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.repost")
    assert reposts["records"][0]["value"]["createdAt"] == "2024-11-25T14:00:00.000Z"  # 21:00 WIB
    net.index.delete_interaction("like", "asn", "p1")
    _, _, after = xrpc(net, "com.atproto.repo.listRecords", repo=did, collection="app.bsky.feed.like")
    assert after["records"] == []


def test_mastodon_lookup_statuses_and_link_paging(net):
    status, headers, acc = get(f"{net.url}/api/v1/accounts/lookup?acct=pak_camat")
    assert status == 200 and acc["acct"] == "pak_camat" and "&lt;b&gt;" in acc["note"]
    assert "X-RateLimit-Reset" in headers and headers["X-RateLimit-Reset"].endswith("Z")
    assert get(f"{net.url}/api/v1/accounts/lookup?acct=ghost")[0] == 404
    _, _, statuses = get(f"{net.url}/api/v1/accounts/{acc['id']}/statuses")
    boost = next(s for s in statuses if s["reblog"])
    assert boost["content"] == "" and boost["reblog"]["account"]["acct"] == "cand01"
    assert "&lt;script&gt;" in boost["reblog"]["content"] and "<script>" not in boost["reblog"]["content"]
    reply = next(s for s in statuses if s["in_reply_to_id"])
    assert reply["in_reply_to_id"] == boost["reblog"]["id"]
    _, _, noreplies = get(f"{net.url}/api/v1/accounts/{acc['id']}/statuses?exclude_replies=true&exclude_reblogs=true")
    assert noreplies == []
    target = boost["reblog"]["id"]
    url, fans = f"{net.url}/api/v1/statuses/{target}/favourited_by?limit=4", []
    while url:
        _, headers, page = get(url)
        fans += [a["acct"] for a in page]
        nxt = re.search(r'<([^>]+)>; rel="next"', headers.get("Link", ""))
        url = nxt.group(1) if nxt else None
    assert sorted(fans) == sorted(["pak_camat", "mwarga0", "mwarga1", "mwarga2", "mwarga3", "mwarga4"])
    _, _, context = get(f"{net.url}/api/v1/statuses/{target}/context")
    assert [s["account"]["acct"] for s in context["descendants"]] == ["pak_camat"]
    _, _, quoting = get(f"{net.url}/api/v1/statuses/{target}/quotes")
    assert quoting[0]["quote"]["state"] == "accepted" and quoting[0]["quote"]["quoted_status"]["id"] == target


def test_faults_are_injected_and_counted():
    faults = Faults(error_rate=0.3, rate_limit_rate=0.2, malformed=5, malformed_rate=1.0, seed=7)
    with SampleNetwork(parse_scenario(SMALL), faults=faults) as net:
        statuses = [xrpc(net, "app.bsky.feed.getAuthorFeed", actor="cand01.test")[0] for _ in range(60)]
        assert net.stats["server_errors"] == sum(1 for s in statuses if s >= 500) > 0
        assert net.stats["rate_limited"] == statuses.count(429) > 0
        assert net.stats["malformed_items"] == 5
        for _ in range(20):
            status, headers, _ = xrpc(net, "app.bsky.actor.getProfile", actor="guru.test")
            if status == 429:
                assert headers["Retry-After"] == "1" and headers["RateLimit-Remaining"] == "0"
                break


def test_truncated_bodies_are_cut_mid_json():
    with SampleNetwork(parse_scenario(SMALL), faults=Faults(truncated=1), rate_limits={}) as net:
        status, _, first = net.respond("/xrpc/app.bsky.actor.getProfile?actor=guru.test")
        status2, _, second = net.respond("/xrpc/app.bsky.actor.getProfile?actor=guru.test")
    assert status == status2 == 200 and len(first) < len(second)
    with pytest.raises(ValueError):
        json.loads(first)
    assert net.stats["truncated"] == 1


def test_real_rate_limit_is_enforced():
    with SampleNetwork(parse_scenario(SMALL), rate_limits={"mastodon": (3, 300)}) as net:
        codes = [get(f"{net.url}/api/v1/accounts/lookup?acct=cand01")[0] for _ in range(4)]
        assert codes == [200, 200, 200, 429]


def test_scenario_errors_name_the_entry():
    bad = {"accounts": SMALL["accounts"], "posts": [{"key": "x", "by": "cand", "at": "2024-10-01 09:00",
                                                      "text": "hi", "likes": ["m_asn"]}]}
    with pytest.raises(ScenarioError, match="likes"):
        parse_scenario(bad)


def test_control_endpoints_change_a_running_network(net):
    def post(path: str) -> tuple[int, dict]:
        req = urllib.request.Request(f"{net.url}/_samplenet/{path}", method="POST", data=b"")
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    uri = next(p.uri for p in net.index.scenario.posts.values() if p.key == "p1")
    assert xrpc(net, "app.bsky.feed.getLikes", uri=uri)[2]["likes"][-1]["actor"]["handle"] == "guru.test"
    assert post("delete?kind=like&actor=asn&post=p1")[0] == 200
    assert "guru.test" not in json.dumps(xrpc(net, "app.bsky.feed.getLikes", uri=uri)[2])
    assert post("clock?at=2024-10-01T09:30:00%2B07:00")[0] == 200
    assert len(xrpc(net, "app.bsky.feed.getAuthorFeed", actor="cand01.test")[2]["feed"]) == 1
    assert post("clock")[0] == 200 and post("delete?post=p2")[0] == 200
    assert len(xrpc(net, "app.bsky.feed.getAuthorFeed", actor="cand01.test")[2]["feed"]) == 1
    assert post("delete?post=nope")[0] == 400 and post("explode")[0] == 404
    assert "requests" in post("stats")[1]


def test_synthetic_scenarios_for_benchmarks():
    from samplenet.synthetic import build, registry_handles

    scenario = build(2_000, candidates=2, posts_per_candidate=5, crowd=300)
    assert 1_900 <= len(scenario.interactions) <= 2_000 and len(scenario.posts) == 10
    assert len(registry_handles(scenario)) == 6
    again = build(2_000, candidates=2, posts_per_candidate=5, crowd=300)
    assert again.interactions[7].uri == scenario.interactions[7].uri  # deterministic ids
    with SampleNetwork(scenario, rate_limits={}) as net:
        post = next(iter(scenario.posts.values()))
        seen, cursor = 0, None
        while True:
            status, _, page = xrpc(net, "app.bsky.feed.getLikes", uri=post.uri, limit=100,
                                   **({"cursor": cursor} if cursor else {}))
            seen += len(page["likes"])
            cursor = page.get("cursor")
            if not cursor:
                break
        assert seen == net.index.count(post, "like") > 100


def test_runs_as_a_process():
    import subprocess
    import sys

    from tests.conftest import ROOT

    proc = subprocess.Popen([sys.executable, "-m", "samplenet", "--synthetic", "500", "--no-rate-limits"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("samplenet ready http://127.0.0.1:")
        url = line.split()[-1]
        assert get(f"{url}/xrpc/com.atproto.identity.resolveHandle?handle=paslon01.test")[0] == 200
    finally:
        proc.terminate()
        proc.wait(10)
