"""identity: provider accounts linked to people (OpenID Connect), SCIM provisioning tokens,
provisioned people and groups

Revision ID: 0007_identity
Revises: 0006_employee_number
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa

import pdservice.db


revision = '0007_identity'
down_revision = '0006_employee_number'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', pdservice.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', pdservice.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(subject) > 0', name=op.f('ck_identity_link_subject_not_empty')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_identity_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_link')),
    sa.UniqueConstraint('provider', 'subject', name=op.f('uq_identity_link_provider_subject')),
    sa.UniqueConstraint('provider', 'user_id', name=op.f('uq_identity_link_provider_user_id'))
    )
    with op.batch_alter_table('identity_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_link_user_id'), ['user_id'], unique=False)

    op.create_table('scim_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=256), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('teacher', 'principal', 'hr', 'admin', name='role', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('created_at', pdservice.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', pdservice.db.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(unit_id IS NULL AND (role IS NULL OR role IN ('hr', 'admin'))) OR (unit_id IS NOT NULL AND role IN ('teacher', 'principal'))", name=op.f('ck_scim_group_mapping')),
    sa.CheckConstraint('length(display_name) > 0', name=op.f('ck_scim_group_display_name_not_empty')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_scim_group_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_group'))
    )
    with op.batch_alter_table('scim_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_group_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scim_group_unit_id'), ['unit_id'], unique=False)

    op.create_table('scim_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=20), nullable=False),
    sa.Column('created_at', pdservice.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', pdservice.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', pdservice.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_scim_token_name_not_empty')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_scim_token_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scim_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_scim_token_token_hash'))
    )
    with op.batch_alter_table('scim_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_token_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('scim_user',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('user_name', sa.String(length=254), nullable=False),
    sa.Column('user_name_key', sa.String(length=254), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('given_name', sa.String(length=200), nullable=True),
    sa.Column('family_name', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('created_at', pdservice.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', pdservice.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', pdservice.db.UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('user_name_key = lower(user_name_key)', name=op.f('ck_scim_user_user_name_key_lower')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_scim_user_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_scim_user')),
    sa.UniqueConstraint('user_name_key', name=op.f('uq_scim_user_user_name_key'))
    )
    with op.batch_alter_table('scim_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_user_external_id'), ['external_id'], unique=False)

    op.create_table('scim_group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['scim_group.id'], name=op.f('fk_scim_group_member_group_id_scim_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_scim_group_member_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_scim_group_member'))
    )
    with op.batch_alter_table('scim_group_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scim_group_member_user_id'), ['user_id'], unique=False)


def downgrade():

    with op.batch_alter_table('scim_group_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_group_member_user_id'))

    op.drop_table('scim_group_member')
    with op.batch_alter_table('scim_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_user_external_id'))

    op.drop_table('scim_user')
    with op.batch_alter_table('scim_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_token_created_by_id'))

    op.drop_table('scim_token')
    with op.batch_alter_table('scim_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scim_group_unit_id'))
        batch_op.drop_index(batch_op.f('ix_scim_group_external_id'))

    op.drop_table('scim_group')
    with op.batch_alter_table('identity_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_link_user_id'))

    op.drop_table('identity_link')
