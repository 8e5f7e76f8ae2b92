"""sprints never overlap, enforced by the database

Revision ID: c9f1d2e8a4b6
Revises: c4e2a7d91f03
Create Date: 2026-11-28 12:30:00.000000

Two sprints with the same dates saved at the same moment both passed the form's
overlap check (issue 8 §2). PostgreSQL gets an exclusion constraint on the date
ranges, SQLite two triggers; both refuse the second sprint as a constraint
violation, which the app answers with a 409.
"""
from alembic import op

# A frozen copy of experiments.models.SPRINT_OVERLAP_DDL as of this revision.
_TRIGGER = (
    "CREATE TRIGGER sprints_no_overlap_{when} BEFORE {event} ON sprints "
    "WHEN EXISTS (SELECT 1 FROM sprints WHERE start_date <= NEW.end_date "
    "AND end_date >= NEW.start_date{other}) "
    "BEGIN SELECT RAISE(ABORT, 'sprints overlap'); END"
)
SPRINT_OVERLAP_DDL = {
    'postgresql': [
        "ALTER TABLE sprints ADD CONSTRAINT ex_sprints_no_overlap EXCLUDE USING gist "
        "(daterange(start_date, end_date, '[]') WITH &&)"
    ],
    'sqlite': [
        _TRIGGER.format(when='insert', event='INSERT', other=''),
        _TRIGGER.format(
            when='update', event='UPDATE OF start_date, end_date', other=' AND id != NEW.id'
        ),
    ],
}


# revision identifiers, used by Alembic.
revision = 'c9f1d2e8a4b6'
down_revision = 'c4e2a7d91f03'
branch_labels = None
depends_on = None


def upgrade():
    for statement in SPRINT_OVERLAP_DDL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE sprints DROP CONSTRAINT ex_sprints_no_overlap')
    elif op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER sprints_no_overlap_insert')
        op.execute('DROP TRIGGER sprints_no_overlap_update')
