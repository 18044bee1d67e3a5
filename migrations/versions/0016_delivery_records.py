"""delivery records: each record of a checked delivery, its file, and refused checks

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 23:36:00.000000

"""
from alembic import op
import sqlalchemy as sa

import marketplace.database


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('delivery_records',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('record_values', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['milestone_submissions.id'], name=op.f('fk_delivery_records_submission_id_milestone_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', 'row', name=op.f('pk_delivery_records'))
    )
    op.create_table('delivery_files',
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['milestone_submissions.id'], name=op.f('fk_delivery_files_submission_id_milestone_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('submission_id', name=op.f('pk_delivery_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_delivery_files_storage_key'))
    )
    op.create_table('delivery_refusals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.Integer(), nullable=False),
    sa.Column('created_at', marketplace.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['milestone_id'], ['milestones.id'], name=op.f('fk_delivery_refusals_milestone_id_milestones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_refusals'))
    )
    op.create_index('ix_delivery_refusals_milestone_id_created_at', 'delivery_refusals', ['milestone_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_delivery_refusals_milestone_id_created_at', table_name='delivery_refusals')
    op.drop_table('delivery_refusals')
    op.drop_table('delivery_files')
    op.drop_table('delivery_records')
