"""Helpers for the end-to-end demo tests: find expected acts (tests/netral/expected.yaml) among stored rows."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from models.social import Account, Interaction, Post
from samplenet.scenario import Scenario, SPost

EXPECTED_FILE = Path(__file__).parent / "expected.yaml"


def expected() -> dict:
    return yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))


def platform_id(post: SPost, base_url: str) -> str:
    """The id the crawler stores for a scenario post: the at:// URI, or the Mastodon status URI."""
    if post.author.platform == "bluesky":
        return post.uri
    return f"{base_url}/users/{post.author.handle}/statuses/{post.mid}"


def find_act(session: Session, scenario: Scenario, base_url: str, entry: dict) -> int | None:
    """Return the stored Interaction id (or Post id for kind `post`) of an expected act, or None."""
    target = platform_id(scenario.posts[entry["post"]], base_url)
    if entry["kind"] == "post":
        return session.scalar(select(Post.id).where(Post.platform_id == target))
    platform, handle = entry["account"].split(":", 1)
    actor = aliased(Account)
    query = (
        select(Interaction.id)
        .join(Post, Interaction.target_post_id == Post.id)
        .join(actor, Interaction.actor_account_id == actor.id)
        .where(Post.platform_id == target, Interaction.kind == entry["kind"], actor.platform == platform)
    )
    rows = session.execute(query.add_columns(actor.handle)).all()
    for row_id, stored_handle in rows:
        if stored_handle == handle or (stored_handle or "").split("@")[0] == handle:
            return row_id
    return None


def flagged(session: Session, scenario: Scenario, base_url: str, entry: dict) -> bool | None:
    """Whether an expected act carries a flag; None when the act was not stored at all."""
    from models.review import Flag

    found = find_act(session, scenario, base_url, entry)
    if found is None:
        return None
    column = Flag.post_id if entry["kind"] == "post" else Flag.interaction_id
    return session.scalar(select(Flag.id).where(column == found).limit(1)) is not None


def score(session: Session, scenario: Scenario, base_url: str) -> dict[str, list[dict]]:
    """Sort expectations: flagged / missed / not_stored (must_flag); ok / wrongly_flagged / neutral_not_stored."""
    out: dict[str, list[dict]] = {"flagged": [], "missed": [], "not_stored": [], "wrongly_flagged": [], "ok": [],
                                  "neutral_not_stored": []}
    for entry in expected()["must_flag"]:
        state = flagged(session, scenario, base_url, entry)
        out["not_stored" if state is None else "flagged" if state else "missed"].append(entry)
    for entry in expected()["must_not_flag"]:
        state = flagged(session, scenario, base_url, entry)
        out["neutral_not_stored" if state is None else "wrongly_flagged" if state else "ok"].append(entry)
    return out
