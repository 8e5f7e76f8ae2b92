"""variants keep the content version they were tested with

Revision ID: b7e1f4a9c2d8
Revises: a4d9e2c7b1f3
Create Date: 2026-11-28 15:45:00.000000

Pinned when the experiment starts (issue 9). Experiments already running or
done are pinned to their item's current version: the best the data can tell.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1f4a9c2d8'
down_revision = 'a4d9e2c7b1f3'
branch_labels = None
depends_on = None


def upgrade():
    # No batch mode: on SQLite a rebuilt variants table would cascade-delete
    # results; ADD COLUMN of a nullable column needs no rebuild.
    op.add_column('variants', sa.Column('content_version', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE variants SET content_version = (SELECT version FROM content_items "
        "WHERE content_items.id = variants.content_item_id) "
        "WHERE content_item_id IS NOT NULL AND experiment_id IN (SELECT id FROM "
        "experiments WHERE status IN ('running', 'analyzing', 'decided'))"
    )


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE variants DROP COLUMN content_version')
    else:
        op.drop_column('variants', 'content_version')
