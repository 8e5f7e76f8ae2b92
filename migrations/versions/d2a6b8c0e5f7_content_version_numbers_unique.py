"""one archived wording per content version number

Revision ID: d2a6b8c0e5f7
Revises: c9f1d2e8a4b6
Create Date: 2026-11-28 12:40:00.000000

200 concurrent edits of one item archived 65 version numbers twice (issue 8 §2).
The edit now claims the next number with a compare-and-set, and this unique index
makes the database refuse a duplicate. Duplicates already stored are renumbered
first, in the order they were saved, and each item's current version is moved
past its archive.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2a6b8c0e5f7'
down_revision = 'c9f1d2e8a4b6'
branch_labels = None
depends_on = None

versions = sa.table(
    'content_versions',
    sa.column('id', sa.Integer()),
    sa.column('content_item_id', sa.Integer()),
    sa.column('version', sa.Integer()),
)
items = sa.table('content_items', sa.column('id', sa.Integer()), sa.column('version', sa.Integer()))


def _renumber_duplicates(connection):
    duplicated = connection.execute(
        sa.select(versions.c.content_item_id)
        .group_by(versions.c.content_item_id, versions.c.version)
        .having(sa.func.count() > 1)
    ).scalars().all()
    for item_id in set(duplicated):
        rows = connection.execute(
            sa.select(versions.c.id)
            .where(versions.c.content_item_id == item_id)
            .order_by(versions.c.version, versions.c.id)
        ).scalars().all()
        for number, row_id in enumerate(rows, start=1):
            connection.execute(
                versions.update().where(versions.c.id == row_id).values(version=number)
            )
        connection.execute(
            items.update().where(items.c.id == item_id).values(version=len(rows) + 1)
        )


def upgrade():
    _renumber_duplicates(op.get_bind())
    op.create_index(
        'uq_content_versions_number', 'content_versions', ['content_item_id', 'version'],
        unique=True,
    )


def downgrade():
    op.drop_index('uq_content_versions_number', table_name='content_versions')
