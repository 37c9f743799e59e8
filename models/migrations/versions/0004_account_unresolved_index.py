"""account: partial index of registry accounts not yet resolved to a platform id

The crawl's store probes for such accounts once per batch; without this index PostgreSQL scanned the
whole account table each time (6 ms a batch at 100,000 accounts).

Revision ID: 0004_account_unresolved_index
Revises: 0003_review_queue_indexes
Create Date: 2026-11-28 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_account_unresolved_index'
down_revision: str | None = '0003_review_queue_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_account_unresolved', 'account', ['platform', 'handle'], unique=False,
                    sqlite_where=sa.text('platform_id IS NULL'), postgresql_where=sa.text('platform_id IS NULL'))


def downgrade() -> None:
    op.drop_index('ix_account_unresolved', table_name='account')
