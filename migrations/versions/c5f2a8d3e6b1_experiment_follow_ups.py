"""an experiment may follow up another (its lineage)

Revision ID: c5f2a8d3e6b1
Revises: b7e1f4a9c2d8
Create Date: 2026-11-28 16:00:00.000000

"Iterate" starts a follow-up pre-filled from the experiment (issue 9). No
foreign key: on SQLite it would need a rebuild of experiments, which cascades.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5f2a8d3e6b1'
down_revision = 'b7e1f4a9c2d8'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('experiments', sa.Column('parent_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_experiments_parent_id'), 'experiments', ['parent_id'])


def downgrade():
    op.drop_index(op.f('ix_experiments_parent_id'), table_name='experiments')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE experiments DROP COLUMN parent_id')
    else:
        op.drop_column('experiments', 'parent_id')
