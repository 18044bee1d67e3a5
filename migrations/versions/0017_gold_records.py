"""gold records: a job's known answers, one row per record keyed by its primary key

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('gold_records',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('record_values', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_gold_records_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'key', name=op.f('pk_gold_records'))
    )
    op.create_index('ix_gold_records_job_id_row', 'gold_records', ['job_id', 'row'], unique=True)


def downgrade():
    op.drop_index('ix_gold_records_job_id_row', table_name='gold_records')
    op.drop_table('gold_records')
