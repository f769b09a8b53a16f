"""Provisioning by SCIM 2.0: the tokens the identity provider uses, what it told us about the
people it provisions, and its groups (each may stand for a unit's staff or principals, HR or
administrators)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.enums import Role
from pdservice.core.models import Unit, User
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db


class ScimToken(db.Model):
    """A bearer token of the provisioning endpoint. The token is shown once; the table keeps
    its SHA-256 digest and its first characters (to tell tokens apart in the list)."""

    __tablename__ = "scim_token"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    hint: so.Mapped[str] = so.mapped_column(sa.String(20))
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)

    created_by: so.Mapped[User | None] = so.relationship()

    __table_args__ = (sa.CheckConstraint("length(name) > 0", name="name_not_empty"),)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ScimUser(db.Model):
    """The provisioning side of a person: the identity provider's names for them and the
    attributes it sends that pdservice keeps only to give them back. A person without a row
    was created here (by hand or by CSV import) and is matched by e-mail."""

    __tablename__ = "scim_user"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    # userName as sent (case kept); `user_name_key` is its comparison form (lower-case).
    user_name: so.Mapped[str] = so.mapped_column(sa.String(254))
    user_name_key: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    external_id: so.Mapped[str | None] = so.mapped_column(sa.String(200), index=True)
    given_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    family_name: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    title: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    department: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    # DELETE ends provisioning: the person stays (deactivated) for the city's records, the
    # SCIM resource is gone (404) until the provider creates it again.
    deleted_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)

    user: so.Mapped[User] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("user_name_key = lower(user_name_key)", name="user_name_key_lower"),
    )


class ScimGroup(db.Model):
    """A group of the identity provider. Mapped to a unit (its staff, or its principals) or
    to a division-wide role (HR, administrators), its members get that place; unmapped, it
    is kept and changes nothing."""

    __tablename__ = "scim_group"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(256))
    external_id: so.Mapped[str | None] = so.mapped_column(sa.String(200), index=True)
    unit_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[Role | None] = so.mapped_column(enum_column(Role))
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    unit: so.Mapped[Unit | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("length(display_name) > 0", name="display_name_not_empty"),
        # A unit's group is for its staff (teacher) or its principals; HR and admin groups
        # name no unit; an unmapped group has neither.
        sa.CheckConstraint(
            "(unit_id IS NULL AND (role IS NULL OR role IN ('hr', 'admin')))"
            " OR (unit_id IS NOT NULL AND role IN ('teacher', 'principal'))",
            name="mapping",
        ),
    )


class ScimGroupMember(db.Model):
    __tablename__ = "scim_group_member"

    group_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("scim_group.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
