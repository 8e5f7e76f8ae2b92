"""continuous cells as mean and M2

Revision ID: 7c2e9a4b5d10
Revises: 41f10a6c3979
Create Date: 2026-11-28 11:30:00.000000

A continuous cell was stored as a sum and a sum of squares; with a large mean
and a small sd the sum of squares holds no digit of the variance (issue 7 §3).
It is now stored as its mean and M2, the sum of squared deviations from the
mean ((n - 1) sd^2). Existing rows convert as mean = sum / units (0 without
units) and M2 = max(sum_squares - sum^2 / units, 0) (0 below 2 units: one
value has no spread); the downgrade turns them back into sums.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2e9a4b5d10'
down_revision = '41f10a6c3979'
branch_labels = None
depends_on = None

# (table, prefix of the value columns, units column, name of the new M2 check)
CELLS = (
    ('results', 'value_', 'units', 'm2_nonnegative'),
    ('result_edits', 'old_value_', 'old_units', 'old_m2_nonnegative'),
    ('result_edits', 'new_value_', 'new_units', 'new_m2_nonnegative'),
)


def _table(name, prefix, units):
    return sa.table(
        name,
        sa.column(units, sa.BigInteger()),
        *(sa.column(prefix + c, sa.Float()) for c in ('sum', 'sum_squares', 'mean', 'm2')),
    )


def _to_mean_and_m2(name, prefix, units):
    t = _table(name, prefix, units)
    n, total, squares = t.c[units], t.c[prefix + 'sum'], t.c[prefix + 'sum_squares']
    m2 = squares - total * total / n
    op.execute(
        t.update()
        .where(total.isnot(None))
        .values({
            prefix + 'mean': sa.case((n > 0, total / n), else_=0.0),
            prefix + 'm2': sa.case(((n > 1) & (m2 > 0), m2), else_=0.0),
        })
    )


def _to_sums(name, prefix, units):
    t = _table(name, prefix, units)
    n, mean, m2 = t.c[units], t.c[prefix + 'mean'], t.c[prefix + 'm2']
    op.execute(
        t.update()
        .where(mean.isnot(None))
        .values({
            prefix + 'sum': mean * n,
            prefix + 'sum_squares': m2 + n * mean * mean,
        })
    )


# On SQLite batch mode rebuilds `results` and drops the old table, which with
# foreign keys on deletes every trail row through ON DELETE CASCADE: the trail's
# foreign key is taken off while `results` is rebuilt, then put back.
TRAIL_FK = 'fk_result_edits_result_id_results'


def _without_trail_fk(change):
    with op.batch_alter_table('result_edits', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(TRAIL_FK), type_='foreignkey')
    change()
    with op.batch_alter_table('result_edits', schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f(TRAIL_FK), 'results', ['result_id'], ['id'], ondelete='CASCADE'
        )


def upgrade():
    for name, prefix, _, _ in CELLS:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column(prefix + 'mean', sa.Float(), nullable=True))
            batch_op.add_column(sa.Column(prefix + 'm2', sa.Float(), nullable=True))
    for name, prefix, units, _ in CELLS:
        _to_mean_and_m2(name, prefix, units)

    def drop_sums():
        with op.batch_alter_table('results', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('ck_results_sum_squares_nonnegative'), type_='check')
        for name, prefix, _, check in CELLS:
            with op.batch_alter_table(name, schema=None) as batch_op:
                batch_op.drop_column(prefix + 'sum_squares')
                batch_op.drop_column(prefix + 'sum')
                batch_op.create_check_constraint(
                    batch_op.f(f'ck_{name}_{check}'), f'{prefix}m2 IS NULL OR {prefix}m2 >= 0'
                )

    _without_trail_fk(drop_sums)


def downgrade():
    for name, prefix, _, check in CELLS:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column(prefix + 'sum', sa.Float(), nullable=True))
            batch_op.add_column(sa.Column(prefix + 'sum_squares', sa.Float(), nullable=True))
    for name, prefix, units, _ in CELLS:
        _to_sums(name, prefix, units)

    def drop_means():
        for name, prefix, _, check in CELLS:
            with op.batch_alter_table(name, schema=None) as batch_op:
                batch_op.drop_constraint(batch_op.f(f'ck_{name}_{check}'), type_='check')
                batch_op.drop_column(prefix + 'm2')
                batch_op.drop_column(prefix + 'mean')
        with op.batch_alter_table('results', schema=None) as batch_op:
            batch_op.create_check_constraint(
                batch_op.f('ck_results_sum_squares_nonnegative'),
                'value_sum_squares IS NULL OR value_sum_squares >= 0',
            )

    _without_trail_fk(drop_means)
