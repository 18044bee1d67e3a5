"""an index of bids by job and status, from which a job's bid count is read alone

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 21:15:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index('ix_bids_job_id_status', ['job_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_index('ix_bids_job_id_status')
