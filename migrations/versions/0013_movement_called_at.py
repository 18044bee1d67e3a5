"""when the provider was last called for a movement

A call whose answer was lost is looked up at the provider once its idempotency key
may be forgotten there; what it made was made between the movement's creation and
its last call (`called_at`), so the lookup reads only that window of the provider's
records. Rows from before keep NULL (the window then runs to the key's lifetime).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import marketplace.database


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('escrow_movements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('called_at', marketplace.database.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('escrow_movements', schema=None) as batch_op:
        batch_op.drop_column('called_at')
