"""The demo scenario is consistent: registry, election profile and the expected flags agree with the posts."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from models.base import PersonRole
from models.profile import load_profile
from models.registry_import import import_registry
from samplenet import load_scenario
from samplenet.server import SampleNetwork
from tests.conftest import ROOT

DEMO = ROOT / "examples" / "demo"
EXPECTED = yaml.safe_load((Path(__file__).parent / "expected.yaml").read_text(encoding="utf-8"))
SCENARIO = load_scenario(DEMO / "scenario.yaml")
PROFILE = load_profile(ROOT / "examples" / "profile.yaml")
PROFILE_TZ = ZoneInfo(PROFILE.election.timezone)


def registry_rows() -> list[dict]:
    with (DEMO / "registry.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def account_of(ref: str):
    platform, handle = ref.split(":", 1)
    found = [a for a in SCENARIO.accounts.values() if a.platform == platform and a.handle == handle]
    assert found, f"{ref} is not in the scenario"
    return found[0]


def phase_of(when) -> str:
    return PROFILE.phase_on(when.astimezone(PROFILE_TZ).date())


def act_time(entry: dict):
    """Find the act an expectation names in the scenario and return its time; fail if it is not there."""
    acc, post = account_of(entry["account"]), SCENARIO.posts[entry["post"]]
    kind = entry["kind"]
    if kind in ("like", "repost"):
        match = [i for i in SCENARIO.interactions if i.kind == kind and i.actor is acc and i.post is post]
        assert len(match) == 1, entry
        return match[0].at
    if kind == "post":
        assert post.author is acc, entry
        return post.at
    own = SCENARIO.posts[entry["own"]]
    assert own.author is acc and getattr(own, "reply_to" if kind == "reply" else "quote_of") is post, entry
    return own.at


def test_registry_imports_and_every_registry_account_is_in_the_scenario(db_session):
    report = import_registry(db_session, DEMO / "registry.csv")
    assert not report.rejected and report.people_created == 22
    for row in registry_rows():
        account_of(f"{row['platform']}:{row['handle']}")


def test_profile_accounts_are_in_the_scenario():
    for ref in PROFILE.candidate_accounts() + [a for org in PROFILE.official_accounts for a in org.accounts]:
        account_of(f"{ref.platform.value}:{ref.handle}")


@pytest.mark.parametrize("section", ["must_flag", "must_not_flag"])
def test_expected_acts_exist_with_registered_people(section):
    registered = {(r["name"], f"{r['platform']}:{r['handle']}"): PersonRole(r["role"]) for r in registry_rows()}
    for entry in EXPECTED[section]:
        role = registered.get((entry["person"], entry["account"]))
        assert role is not None and role.is_monitored, entry
        when = act_time(entry)
        if section == "must_flag":
            assert phase_of(when) == entry["phase"], entry


def test_every_monitored_act_on_a_candidate_post_is_expected_flagged():
    candidates = {(a.platform.value, a.handle) for a in PROFILE.candidate_accounts()}
    monitored = {f"{r['platform']}:{r['handle']}" for r in registry_rows() if PersonRole(r["role"]).is_monitored}
    acts = defaultdict(set)
    for i in SCENARIO.interactions:
        acts[(f"{i.actor.platform}:{i.actor.handle}", i.post.key)].add(i.kind)
    for p in SCENARIO.posts.values():
        for kind, target in (("reply", p.reply_to), ("quote", p.quote_of)):
            if target is not None:
                acts[(f"{p.author.platform}:{p.author.handle}", target.key)].add(kind)
    flagged = {(e["account"], e["post"], e["kind"]) for e in EXPECTED["must_flag"]}
    for (account, post_key), kinds in acts.items():
        author = SCENARIO.posts[post_key].author
        if account in monitored and (author.platform, author.handle) in candidates:
            for kind in kinds:
                assert (account, post_key, kind) in flagged, (account, post_key, kind)
    assert not flagged & {(e["account"], e["post"], e["kind"]) for e in EXPECTED["must_not_flag"]}


def test_role_detection_accounts_are_outside_the_registry():
    registered = {f"{r['platform']}:{r['handle']}" for r in registry_rows()}
    for entry in EXPECTED["role_detection"]:
        assert entry["account"] not in registered and account_of(entry["account"]).bio


def test_the_scenario_is_big_enough_and_served():
    assert 30 <= len(SCENARIO.accounts) <= 60 and 100 <= len(SCENARIO.posts) <= 200
    assert len(SCENARIO.interactions) >= 300
    with SampleNetwork(SCENARIO, rate_limits={}) as net:
        status, _, body = net.respond("/xrpc/app.bsky.feed.getAuthorFeed?actor=kpusawahlunto.test&limit=100")
        assert status == 200 and b"#PilkadaSawahlunto" in body
        status, _, body = net.respond("/api/v1/accounts/lookup?acct=kpu_swl")
        assert status == 200 and b'"acct":"kpu_swl"' in body
