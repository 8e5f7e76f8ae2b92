"""decision log: snapshots of the figures a decision used, and reopenings

Revision ID: a4d9e2c7b1f3
Revises: f3c8a1d6b2e4
Create Date: 2026-11-28 15:30:00.000000

After a decision the results are locked; a lead may reopen them with a reason
(issue 9). Each decision keeps the figures it was based on.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d9e2c7b1f3'
down_revision = 'f3c8a1d6b2e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'decision_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('experiment_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('snapshot', sa.Text(), nullable=True),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('decided', 'reopened')", name=op.f('ck_decision_events_kind_known')),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_decision_events_by_id_users')),
        sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_decision_events_experiment_id_experiments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_events')),
    )
    op.create_index(op.f('ix_decision_events_experiment_id'), 'decision_events', ['experiment_id'])


def downgrade():
    op.drop_table('decision_events')
