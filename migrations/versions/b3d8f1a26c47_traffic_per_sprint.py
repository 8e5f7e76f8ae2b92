"""expected traffic per sprint in the plan

Revision ID: b3d8f1a26c47
Revises: 7c2e9a4b5d10
Create Date: 2026-11-28 12:00:00.000000

The plan form asks how many units a sprint brings (all variants together), so the
app can say how many sprints the planned sample needs and warn when the planned
looks and the sample cannot meet (issue 7 §4). Nullable: existing plans have none.

SQLite adds the column in place: its range CHECK would need the experiments
table rebuilt, and dropping the old table cascades to every variant, metric and
result. There the form's check holds the range; PostgreSQL gets the CHECK too.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d8f1a26c47'
down_revision = '7c2e9a4b5d10'
branch_labels = None
depends_on = None

CHECK = 'traffic_per_sprint IS NULL OR traffic_per_sprint BETWEEN 1 AND 1000000000000'


def upgrade():
    op.add_column('experiments', sa.Column('traffic_per_sprint', sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name != 'sqlite':
        op.create_check_constraint(op.f('ck_experiments_traffic_range'), 'experiments', CHECK)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE experiments DROP COLUMN traffic_per_sprint')
    else:
        op.drop_constraint(op.f('ck_experiments_traffic_range'), 'experiments', type_='check')
        op.drop_column('experiments', 'traffic_per_sprint')
