"""source files: what a job's client attaches (the bytes are in the file storage)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import marketplace.database


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('source_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('sample', sa.Boolean(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', marketplace.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_source_files_size_positive')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_source_files_job_id_jobs')),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_source_files_uploader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_files')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_source_files_storage_key'))
    )
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.create_index('ix_source_files_job_id_created_at_id', ['job_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_files_uploader_id'), ['uploader_id'], unique=False)


def downgrade():
    # The rows go; the stored objects they named stay in the file storage.
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_files_uploader_id'))
        batch_op.drop_index('ix_source_files_job_id_created_at_id')

    op.drop_table('source_files')
