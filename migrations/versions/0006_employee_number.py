"""employee number: the employer's person number on people (HR exports, SCIM's
enterpriseUser employeeNumber, the staff CSV import)

Revision ID: 0006_employee_number
Revises: 0005_reports
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_employee_number'
down_revision = '0005_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('employee_number', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_employee_number'), ['employee_number'])


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_employee_number'), type_='unique')
        batch_op.drop_column('employee_number')
