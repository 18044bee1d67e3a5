"""a charge's balance transaction on its movement, and provider fees in the ledger

Each succeeded charge keeps what the provider settled of it (currency, amount, its
processing fee, the exchange rate); the fee is booked as a `provider_fee` line on a
`provider_fees` account.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

KINDS = (
    'client_funds', 'escrow', 'pending_payout', 'paid_out', 'platform_fees', 'platform_loss'
)
TYPES = ('funding', 'release', 'fee', 'refund', 'payout', 'chargeback', 'chargeback_reversal')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table('escrow_movements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('balance_transaction', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('settlement_currency', sa.String(length=3), nullable=True))
        batch_op.add_column(sa.Column('settlement_amount', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('provider_fee', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('exchange_rate', sa.String(length=30), nullable=True))

    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_accounts_kind'), type_='check')
        batch_op.create_check_constraint('kind', _in('kind', KINDS + ('provider_fees',)))

    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_lines_type'), type_='check')
        batch_op.create_check_constraint('type', _in('type', TYPES + ('provider_fee',)))


def downgrade():
    with op.batch_alter_table('ledger_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_lines_type'), type_='check')
        batch_op.create_check_constraint('type', _in('type', TYPES))

    with op.batch_alter_table('ledger_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_accounts_kind'), type_='check')
        batch_op.create_check_constraint('kind', _in('kind', KINDS))

    with op.batch_alter_table('escrow_movements', schema=None) as batch_op:
        batch_op.drop_column('exchange_rate')
        batch_op.drop_column('provider_fee')
        batch_op.drop_column('settlement_amount')
        batch_op.drop_column('settlement_currency')
        batch_op.drop_column('balance_transaction')
