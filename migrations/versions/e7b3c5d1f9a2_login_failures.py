"""failed sign-ins, for throttling

Revision ID: e7b3c5d1f9a2
Revises: d2a6b8c0e5f7
Create Date: 2026-11-28 12:50:00.000000

Sign-in attempts are limited per account and per address (issue 8 §3); the
failures live in the database so every worker counts the same ones.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b3c5d1f9a2'
down_revision = 'd2a6b8c0e5f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    for column in ('email', 'address', 'at'):
        op.create_index(op.f(f'ix_login_failures_{column}'), 'login_failures', [column])


def downgrade():
    op.drop_table('login_failures')
