"""review queue indexes for the province filter and "my claims"

Both filters had no index leading with their column: a province or a reviewer matching few flags made
the queue walk every flag of the status (85 ms and 75 ms a page on a million flags).

Revision ID: 0005_queue_province_assignee
Revises: 0004_account_unresolved_index
Create Date: 2026-11-28 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005_queue_province_assignee'
down_revision: str | None = '0004_account_unresolved_index'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_flag_queue_province', 'flag', ['region_province', 'status', 'score', 'id'], unique=False)
    op.create_index('ix_flag_queue_assignee', 'flag', ['assignee_id', 'status', 'score', 'id'], unique=False,
                    sqlite_where=sa.text('assignee_id IS NOT NULL'),
                    postgresql_where=sa.text('assignee_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_flag_queue_assignee', table_name='flag')
    op.drop_index('ix_flag_queue_province', table_name='flag')
