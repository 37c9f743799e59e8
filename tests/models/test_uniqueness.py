"""Natural keys: re-storing an account, post or interaction never duplicates it."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import Account, Interaction, InteractionKind, Platform, Post
from tests.factories import make_account, make_interaction, make_post


def test_account_unique_per_platform_and_id(db_session):
    make_account(db_session, platform=Platform.BLUESKY, platform_id="did:plc:abc", handle="a.test")
    make_account(db_session, platform=Platform.MASTODON, platform_id="did:plc:abc", handle="a")  # other platform: fine
    db_session.commit()
    with pytest.raises(IntegrityError):
        make_account(db_session, platform=Platform.BLUESKY, platform_id="did:plc:abc", handle="b.test")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Account)) == 2


def test_unresolved_registry_accounts_may_share_null_platform_id(db_session):
    make_account(db_session, platform_id=None, handle="x.test")
    make_account(db_session, platform_id=None, handle="y.test")
    db_session.commit()


def test_post_unique_per_platform_id(db_session):
    post = make_post(db_session, platform_id="at://did:plc:a/app.bsky.feed.post/1")
    db_session.commit()
    with pytest.raises(IntegrityError):
        make_post(db_session, author=post.author, platform_id="at://did:plc:a/app.bsky.feed.post/1")
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Post)) == 1


def test_like_is_unique_per_actor_and_post(db_session):
    actor = make_account(db_session)
    post = make_post(db_session)
    make_interaction(db_session, actor, post, InteractionKind.LIKE)
    make_interaction(db_session, actor, post, InteractionKind.REPOST)  # another kind: fine
    db_session.commit()
    with pytest.raises(IntegrityError):
        make_interaction(db_session, actor, post, InteractionKind.LIKE)
    db_session.rollback()


def test_two_replies_by_one_actor_are_two_interactions(db_session):
    actor = make_account(db_session)
    post = make_post(db_session)
    for n in (1, 2):
        reply = make_post(db_session, author=actor, text=f"balasan {n}")
        make_interaction(db_session, actor, post, InteractionKind.REPLY, own_post_id=reply.id,
                         instance_key=reply.platform_id)
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == 2


def test_timestamps_come_back_aware_utc(db_session):
    post = make_post(db_session)
    db_session.commit()
    db_session.expire_all()
    again = db_session.get(Post, post.id)
    assert again.created_at.utcoffset().total_seconds() == 0
    assert again.fetched_at.tzinfo is not None
