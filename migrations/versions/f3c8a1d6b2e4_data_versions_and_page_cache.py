"""data versions and a shared cache of analyses and pages

Revision ID: f3c8a1d6b2e4
Revises: e7b3c5d1f9a2
Create Date: 2026-11-28 14:00:00.000000

Pages stay fast at a thousand experiments (issue 8 §5): each experiment's
analysis and the rendered pages are cached in the database, keyed by versions
that every write raises (core.versions, core.cache).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3c8a1d6b2e4'
down_revision = 'e7b3c5d1f9a2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_versions',
        sa.Column('scope', sa.String(length=40), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_data_versions')),
    )
    op.create_table(
        'page_cache',
        sa.Column('slot', sa.String(length=200), nullable=False),
        sa.Column('version', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('stored_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('slot', name=op.f('pk_page_cache')),
    )


def downgrade():
    op.drop_table('page_cache')
    op.drop_table('data_versions')
