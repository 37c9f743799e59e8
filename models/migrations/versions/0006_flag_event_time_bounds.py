"""flag: bounds of an act's time when the platform gave none

A Mastodon favourite or boost listed by favourited_by/reblogged_by (a Bluesky repost from getRepostedBy)
carries no time. Such a flag keeps event_at NULL and stores the bounds: not before the post was created
(event_earliest), not after the act was first seen (event_latest). Flags made before this revision
dated such acts at capture time: the upgrade moves that date to the bounds (their severity and explanation
were computed from capture time and are not recomputed; a reviewer now sees that the time is unknown).

Revision ID: 0006_flag_event_time_bounds
Revises: 0005_queue_province_assignee
Create Date: 2026-12-02 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0006_flag_event_time_bounds'
down_revision: str | None = '0005_queue_province_assignee'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'event_earliest', models.base.UTCDateTime(timezone=True), nullable=True,
            comment="When event_at is unknown: the earliest it can be (the post's creation), if known"))
        batch_op.add_column(sa.Column(
            'event_latest', models.base.UTCDateTime(timezone=True), nullable=True,
            comment="When event_at is unknown: the latest it can be (when the act was first seen)"))
        batch_op.alter_column('event_at', existing_type=models.base.UTCDateTime(timezone=True),
                              existing_nullable=True,
                              comment="When the act happened, as the platform gave it; NULL when unknown",
                              existing_comment="When the act happened (or was first seen)")
    op.execute(
        "UPDATE flag SET "
        "event_earliest = (SELECT post.created_at FROM post WHERE post.id = flag.post_id), "
        "event_latest = (SELECT interaction.first_seen_at FROM interaction WHERE interaction.id = flag.interaction_id), "
        "event_at = NULL "
        "WHERE flag.interaction_id IS NOT NULL AND EXISTS (SELECT 1 FROM interaction "
        "WHERE interaction.id = flag.interaction_id AND interaction.occurred_at IS NULL)")


def downgrade() -> None:
    op.execute("UPDATE flag SET event_at = event_latest WHERE event_at IS NULL AND event_latest IS NOT NULL")
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.alter_column('event_at', existing_type=models.base.UTCDateTime(timezone=True),
                              existing_nullable=True, comment="When the act happened (or was first seen)",
                              existing_comment="When the act happened, as the platform gave it; NULL when unknown")
        batch_op.drop_column('event_latest')
        batch_op.drop_column('event_earliest')
