"""reports: a covering index for the HR reports' sums of development hours

Revision ID: 0005_reports
Revises: 0003_coteaching (on the reports branch; at merge it follows 0004_strategy)
Create Date: 2026-11-28 03:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_reports'
# MERGE: set to '0004_strategy' when the strategy branch (which adds 0004_strategy on top of
# 0003_coteaching) is merged, so that there is one head.
down_revision = '0004_strategy'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('development_hours', schema=None) as batch_op:
        batch_op.create_index(
            'ix_development_hours_year_user_kind',
            ['school_year_id', 'user_id', 'kind', 'hours', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('development_hours', schema=None) as batch_op:
        batch_op.drop_index('ix_development_hours_year_user_kind')
