"""per-record pricing and row-level approval: unit prices, held money, rejected rows

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 10:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

from marketplace.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

STATUSES_BEFORE = (
    "pending",
    "funding",
    "funded",
    "submitted",
    "changes_requested",
    "approved",
    "disputed",
    "resolved",
    "cancelled",
)
STATUSES = STATUSES_BEFORE[:6] + ("partially_approved",) + STATUSES_BEFORE[6:]


def _in(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table("milestones") as batch:
        batch.add_column(sa.Column("unit_price", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("max_records", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("records_accepted", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("records_rejected", sa.Integer(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("held", sa.BigInteger(), server_default="0", nullable=False))
        batch.add_column(sa.Column("rejection_due_at", UTCDateTime(), nullable=True))
        batch.create_check_constraint(op.f("ck_milestones_unit_price_positive"), "unit_price > 0")
        batch.create_check_constraint(op.f("ck_milestones_max_records_positive"), "max_records > 0")
        batch.create_check_constraint(
            op.f("ck_milestones_per_record_pricing"), "(unit_price IS NULL) = (max_records IS NULL)"
        )
        batch.create_check_constraint(op.f("ck_milestones_held_not_negative"), "held >= 0")
        batch.drop_constraint(op.f("ck_milestones_status"), type_="check")
        batch.create_check_constraint(op.f("ck_milestones_status"), _in(STATUSES))
        batch.create_index(
            "ix_milestones_status_rejection_due_at", ["status", "rejection_due_at"], unique=False
        )
    with op.batch_alter_table("bid_milestones") as batch:
        batch.add_column(sa.Column("unit_price", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("max_records", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_bid_milestones_unit_price_positive"), "unit_price > 0"
        )
        batch.create_check_constraint(
            op.f("ck_bid_milestones_max_records_positive"), "max_records > 0"
        )
        batch.create_check_constraint(
            op.f("ck_bid_milestones_per_record_pricing"),
            "(unit_price IS NULL) = (max_records IS NULL)",
        )
    with op.batch_alter_table("delivery_records") as batch:
        batch.add_column(sa.Column("rejection", sa.Text(), nullable=True))
    with op.batch_alter_table("escrow_movements") as batch:
        batch.add_column(sa.Column("release_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_escrow_movements_release_id_escrow_movements"),
            "escrow_movements",
            ["release_id"],
            ["id"],
        )
    # Until now a milestone had at most one release, paid out by its transfer.
    op.execute(
        """
        UPDATE escrow_movements SET release_id = (
            SELECT r.id FROM escrow_movements r
            WHERE r.milestone_id = escrow_movements.milestone_id AND r.kind = 'release'
            ORDER BY r.id LIMIT 1
        )
        WHERE kind = 'transfer'
        """
    )


def downgrade():
    with op.batch_alter_table("escrow_movements") as batch:
        batch.drop_constraint(
            op.f("fk_escrow_movements_release_id_escrow_movements"), type_="foreignkey"
        )
        batch.drop_column("release_id")
    with op.batch_alter_table("delivery_records") as batch:
        batch.drop_column("rejection")
    with op.batch_alter_table("bid_milestones") as batch:
        batch.drop_constraint(op.f("ck_bid_milestones_per_record_pricing"), type_="check")
        batch.drop_constraint(op.f("ck_bid_milestones_max_records_positive"), type_="check")
        batch.drop_constraint(op.f("ck_bid_milestones_unit_price_positive"), type_="check")
        batch.drop_column("max_records")
        batch.drop_column("unit_price")
    with op.batch_alter_table("milestones") as batch:
        batch.drop_index("ix_milestones_status_rejection_due_at")
        batch.drop_constraint(op.f("ck_milestones_status"), type_="check")
        batch.create_check_constraint(op.f("ck_milestones_status"), _in(STATUSES_BEFORE))
        batch.drop_constraint(op.f("ck_milestones_held_not_negative"), type_="check")
        batch.drop_constraint(op.f("ck_milestones_per_record_pricing"), type_="check")
        batch.drop_constraint(op.f("ck_milestones_max_records_positive"), type_="check")
        batch.drop_constraint(op.f("ck_milestones_unit_price_positive"), type_="check")
        batch.drop_column("rejection_due_at")
        batch.drop_column("held")
        batch.drop_column("records_rejected")
        batch.drop_column("records_accepted")
        batch.drop_column("max_records")
        batch.drop_column("unit_price")
