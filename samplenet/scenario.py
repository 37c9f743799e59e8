"""Sample network: load a scenario (accounts, posts, likes, reposts; replies and quotes are posts) from data.

The scenario file is plain YAML; nothing here knows about any particular election. Times without a zone
are read in the scenario's `timezone` (WIB by default). Every derived id comes from samplenet.ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from samplenet import ids

PLATFORMS = ("bluesky", "mastodon")
_KEY = re.compile(r"^[a-z0-9_][a-z0-9_.-]{0,63}$")
_AT = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?\s*$")


class ScenarioError(ValueError):
    """The scenario is invalid; the message names the entry."""


@dataclass
class SAccount:
    key: str
    platform: str
    handle: str
    display_name: str
    bio: str
    joined: datetime
    did: str = ""  # Bluesky
    mid: str = ""  # Mastodon account id


@dataclass
class SPost:
    key: str
    author: SAccount
    at: datetime
    text: str
    reply_to: SPost | None = None
    quote_of: SPost | None = None
    image_alt: str | None = None
    lang: str = "id"
    deleted: bool = False
    rkey: str = ""
    uri: str = ""
    cid: str = ""
    record: dict = field(default_factory=dict)
    mid: str = ""

    @property
    def root(self) -> SPost:
        post = self
        while post.reply_to is not None:
            post = post.reply_to
        return post


@dataclass(slots=True)  # slots: a benchmark scenario holds a million of these
class SInteraction:
    kind: str  # like | repost
    actor: SAccount
    post: SPost
    at: datetime
    seq: int = 0  # Mastodon favourite id / ordering
    deleted: bool = False
    rkey: str = ""
    uri: str = ""
    cid: str = ""
    mid: str = ""  # Mastodon reblog status id

    @property
    def record(self) -> dict:
        """The like/repost record, built when served rather than kept for every interaction."""
        from samplenet.records import interaction_record

        return interaction_record(self)


@dataclass
class Scenario:
    name: str
    accounts: dict[str, SAccount]
    posts: dict[str, SPost]
    interactions: list[SInteraction]


def _parse_at(value: object, tz: timezone, where: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    match = _AT.match(str(value))
    if not match:
        raise ScenarioError(f"{where}: time {value!r} is not 'YYYY-MM-DD HH:MM'")
    day, hm, sec = match.groups()
    return datetime.fromisoformat(f"{day}T{hm}{sec or ':00'}").replace(tzinfo=tz)


def _tz(value: object) -> timezone:
    match = re.match(r"^([+-])(\d{2}):(\d{2})$", str(value))
    if not match:
        raise ScenarioError(f"timezone {value!r} must look like +07:00")
    sign = 1 if match.group(1) == "+" else -1
    return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))


def _account(raw: dict, tz: timezone, i: int) -> SAccount:
    where = f"accounts[{i}]"
    key = str(raw.get("key", ""))
    if not _KEY.match(key):
        raise ScenarioError(f"{where}: key {key!r} must be lower-case letters, digits, _ . -")
    if raw.get("platform") not in PLATFORMS:
        raise ScenarioError(f"{where} ({key}): platform must be one of {PLATFORMS}")
    handle = str(raw.get("handle") or "").strip().lstrip("@").lower()
    if not handle:
        raise ScenarioError(f"{where} ({key}): handle missing")
    acc = SAccount(
        key=key, platform=raw["platform"], handle=handle,
        display_name=str(raw.get("name") or handle), bio=str(raw.get("bio") or ""),
        joined=_parse_at(raw.get("joined", "2024-01-01 09:00"), tz, where),
    )
    if acc.platform == "bluesky":
        acc.did = ids.did_for(handle)
    else:
        acc.mid = ids.snowflake(acc.joined, f"account:{handle}")
    return acc


def _interaction_refs(raw: object, post: SPost, kind: str, where: str, tz: timezone) -> list[tuple[str, datetime]]:
    """Read `likes:`/`reposts:` entries: 'key', 'key@YYYY-MM-DD HH:MM' or {by, at}."""
    out = []
    for n, item in enumerate(raw or []):
        if isinstance(item, dict):
            key, at = str(item.get("by", "")), item.get("at")
        else:
            key, _, at = str(item).partition("@")
            at = at or None
        # Without a time, interactions trickle in after the post, a few minutes apart.
        when = _parse_at(at, tz, where) if at else post.at + timedelta(minutes=7 * (n + 1))
        out.append((key.strip(), when))
    return out


def parse_scenario(data: dict) -> Scenario:
    """Validate a parsed scenario mapping and derive every platform id."""
    if not isinstance(data, dict):
        raise ScenarioError("the scenario must be a mapping")
    tz = _tz(data.get("timezone", "+07:00"))
    accounts: dict[str, SAccount] = {}
    handles = set()
    for i, raw in enumerate(data.get("accounts") or []):
        acc = _account(raw, tz, i)
        if acc.key in accounts or (acc.platform, acc.handle) in handles:
            raise ScenarioError(f"accounts[{i}]: duplicate key or handle {acc.key!r}")
        accounts[acc.key] = acc
        handles.add((acc.platform, acc.handle))
    posts: dict[str, SPost] = {}
    pending: list[tuple[SPost, str, object]] = []
    for i, raw in enumerate(data.get("posts") or []):
        where = f"posts[{i}] ({raw.get('key')})"
        key = str(raw.get("key", ""))
        if not _KEY.match(key) or key in posts:
            raise ScenarioError(f"{where}: key missing, malformed or duplicate")
        author = accounts.get(str(raw.get("by")))
        if author is None:
            raise ScenarioError(f"{where}: unknown author {raw.get('by')!r}")
        post = SPost(key=key, author=author, at=_parse_at(raw.get("at"), tz, where), text=str(raw.get("text", "")),
                     image_alt=raw.get("image_alt"), lang=str(raw.get("lang", "id")))
        for attr in ("reply_to", "quote_of"):
            ref = raw.get(attr)
            if ref is not None:
                target = posts.get(str(ref))
                if target is None:
                    raise ScenarioError(f"{where}: {attr} {ref!r} must name an earlier post")
                if target.author.platform != author.platform or target.at > post.at:
                    raise ScenarioError(f"{where}: {attr} {ref!r} is on another platform or later")
                setattr(post, attr, target)
        posts[key] = post
        for kind in ("likes", "reposts"):
            pending.append((post, kind, raw.get(kind)))
    interactions = []
    seen: set[tuple[str, str, str]] = set()
    for post, kind, raw in pending:
        where = f"posts ({post.key}).{kind}"
        for key, when in _interaction_refs(raw, post, kind, where, tz):
            actor = accounts.get(key)
            if actor is None or actor.platform != post.author.platform:
                raise ScenarioError(f"{where}: {key!r} is not an account on {post.author.platform}")
            if (kind, key, post.key) in seen:
                raise ScenarioError(f"{where}: {key!r} appears twice")
            seen.add((kind, key, post.key))
            interactions.append(SInteraction(kind=kind[:-1], actor=actor, post=post, at=when))
    scenario = Scenario(str(data.get("name", "scenario")), accounts, posts, interactions)
    _derive_ids(scenario)
    return scenario


def _derive_ids(scenario: Scenario) -> None:
    """Fill record keys, URIs, CIDs and records in time order (a reply needs its parent's CID)."""
    from samplenet.records import post_record

    used: set[str] = set()

    def unique_tid(at: datetime, key: str) -> str:
        n = 0
        while True:
            rkey = ids.tid(at + timedelta(microseconds=n), ids.clock_id(key))
            if rkey not in used:
                used.add(rkey)
                return rkey
            n += 1

    for post in sorted(scenario.posts.values(), key=lambda p: p.at):
        if post.author.platform == "bluesky":
            post.rkey = unique_tid(post.at, post.key)
            post.uri = f"at://{post.author.did}/app.bsky.feed.post/{post.rkey}"
            post.record = post_record(post)
            post.cid = ids.cid_for(post.record)
        else:
            post.mid = ids.snowflake(post.at, f"status:{post.key}")
    ordered = sorted(scenario.interactions, key=lambda x: (x.at, x.actor.key, x.post.key))
    for seq, inter in enumerate(ordered, start=1):
        inter.seq = seq
        tag = f"{inter.kind}:{inter.actor.key}:{inter.post.key}"
        if inter.actor.platform == "bluesky":
            inter.rkey = unique_tid(inter.at, tag)
            inter.uri = f"at://{inter.actor.did}/app.bsky.feed.{inter.kind}/{inter.rkey}"
            inter.cid = ids.cid_for(inter.record)
        elif inter.kind == "repost":
            inter.mid = ids.snowflake(inter.at, f"reblog:{tag}")
    scenario.interactions = ordered


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    return parse_scenario(data)
