"""a job's record schema and quality bar; a delivery's record count and report

Jobs keep the Table Schema descriptor their deliveries must follow and the least
accuracy on gold records (in ten-thousandths), which a contract copies when it is made.
A submission keeps how many records it delivered and the report of their check.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 23:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# SQLite adds a CHECK by copying the table, which drops the triggers that keep the
# search index (0002) in step: they are made again, as they were.
SQLITE_SEARCH_TRIGGERS = [
    "CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN"
    " INSERT INTO jobs_fts(rowid, title, description)"
    " VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN"
    " INSERT INTO jobs_fts(jobs_fts, rowid, title, description)"
    " VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER jobs_fts_update AFTER UPDATE OF title, description ON jobs BEGIN"
    " INSERT INTO jobs_fts(jobs_fts, rowid, title, description)"
    " VALUES ('delete', old.id, old.title, old.description);"
    " INSERT INTO jobs_fts(rowid, title, description)"
    " VALUES (new.id, new.title, new.description); END",
]


def _search_triggers_again():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in SQLITE_SEARCH_TRIGGERS:
            op.execute(statement)


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_schema', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('min_accuracy_bps', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'min_accuracy_bps', 'min_accuracy_bps BETWEEN 0 AND 10000'
        )
    _search_triggers_again()

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_accuracy_bps', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            'min_accuracy_bps', 'min_accuracy_bps BETWEEN 0 AND 10000'
        )

    with op.batch_alter_table('milestone_submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('milestone_submissions', schema=None) as batch_op:
        batch_op.drop_column('report')
        batch_op.drop_column('record_count')

    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_contracts_min_accuracy_bps'), type_='check')
        batch_op.drop_column('min_accuracy_bps')

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_jobs_min_accuracy_bps'), type_='check')
        batch_op.drop_column('min_accuracy_bps')
        batch_op.drop_column('record_schema')
    _search_triggers_again()
