"""review queue indexes: (filter column, status, sort key, id) so filtered queue pages stay fast

Replaces (institution, status), (platform, status), (rule_code, status), whose prefixes the new
indexes cover. Without them a filter matching few rows walked the whole (status, score) index:
1.5 s per page on a million flags.

Revision ID: 0003_review_queue_indexes
Revises: 0002_crawl_job
Create Date: 2026-11-27 21:18:01.742099
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003_review_queue_indexes'
down_revision: str | None = '0002_crawl_job'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flag_institution'))
        batch_op.drop_index(batch_op.f('ix_flag_platform'))
        batch_op.drop_index(batch_op.f('ix_flag_rule'))
        batch_op.create_index('ix_flag_queue_institution', ['institution', 'status', 'score', 'id'], unique=False)
        batch_op.create_index('ix_flag_queue_institution_time', ['institution', 'status', 'event_at', 'id'], unique=False)
        batch_op.create_index('ix_flag_queue_platform', ['platform', 'status', 'score', 'id'], unique=False)
        batch_op.create_index('ix_flag_queue_regency', ['region_regency', 'status', 'score', 'id'], unique=False)
        batch_op.create_index('ix_flag_queue_rule', ['rule_code', 'status', 'score', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_index('ix_flag_queue_rule')
        batch_op.drop_index('ix_flag_queue_regency')
        batch_op.drop_index('ix_flag_queue_platform')
        batch_op.drop_index('ix_flag_queue_institution_time')
        batch_op.drop_index('ix_flag_queue_institution')
        batch_op.create_index(batch_op.f('ix_flag_rule'), ['rule_code', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_platform'), ['platform', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_flag_institution'), ['institution', 'status'], unique=False)
