"""a session version per user

Revision ID: c4e2a7d91f03
Revises: b3d8f1a26c47
Create Date: 2026-11-28 12:20:00.000000

A session cookie names the user and this version; sign-out and a role change
raise it, so an old cookie replayed later no longer signs anyone in (issue 8 §3).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e2a7d91f03'
down_revision = 'b3d8f1a26c47'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'users',
        sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'),
    )


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN session_version')
    else:
        op.drop_column('users', 'session_version')
