"""record schemas on jobs, reports and record counts on submissions

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 23:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE: a batch copy of `jobs` on SQLite would drop its search triggers.
    op.add_column('jobs', sa.Column('record_schema', sa.JSON(), nullable=True))
    op.add_column('milestone_submissions', sa.Column('record_count', sa.Integer(), nullable=True))
    op.add_column('milestone_submissions', sa.Column('report', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('milestone_submissions', 'report')
    op.drop_column('milestone_submissions', 'record_count')
    op.drop_column('jobs', 'record_schema')
