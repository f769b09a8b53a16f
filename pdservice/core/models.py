"""The domain core: units, staff, memberships, school years, competence areas, audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash

from pdservice.core.enums import (
    CompetenceKind,
    Language,
    Profession,
    Role,
    UnitKind,
    UnitRole,
)
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db


class Unit(db.Model):
    """A school, upper-secondary school or day-care centre."""

    __tablename__ = "unit"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # A short, stable, URL- and command-line-friendly name ("koivurinne").
    code: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[UnitKind] = so.mapped_column(enum_column(UnitKind))
    language: so.Mapped[Language] = so.mapped_column(enum_column(Language, 2))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    memberships: so.Mapped[list[UnitMembership]] = so.relationship(
        back_populates="unit", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("language IN ('fi', 'sv')", name="unit_language"),
        sa.CheckConstraint("length(code) > 0", name="code_not_empty"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.id}

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class User(UserMixin, db.Model):
    """A staff member of the division. Every user is staff; roles come on top."""

    __tablename__ = "user_account"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stored lower-cased; the unique index makes "one account per address" a fact.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    # The employer's person number (HR and payroll): a stable key for exports and matching.
    employee_number: so.Mapped[str | None] = so.mapped_column(sa.String(40), unique=True)
    profession: so.Mapped[Profession] = so.mapped_column(enum_column(Profession))
    fte: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(4, 2), default=Decimal("1.00"))
    preferred_language: so.Mapped[Language] = so.mapped_column(
        enum_column(Language, 2), default=Language.FI
    )
    active: so.Mapped[bool] = so.mapped_column(default=True)
    is_hr: so.Mapped[bool] = so.mapped_column(default=False)
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    password_hash: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False)
    # Bumped when the password changes or the account is deactivated, which signs the
    # account out of every other browser (the session stores id and this counter).
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    memberships: so.Mapped[list[UnitMembership]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        sa.CheckConstraint("email = lower(email)", name="email_lower"),
    )

    # --- Flask-Login -------------------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # --- roles and scope -----------------------------------------------------------------
    @property
    def member_unit_ids(self) -> set[int]:
        return {m.unit_id for m in self.memberships}

    @property
    def principal_unit_ids(self) -> set[int]:
        return {m.unit_id for m in self.memberships if m.role == UnitRole.PRINCIPAL}

    @property
    def roles(self) -> set[Role]:
        roles = {Role.TEACHER}
        if self.principal_unit_ids:
            roles.add(Role.PRINCIPAL)
        if self.is_hr:
            roles.add(Role.HR)
        if self.is_admin:
            roles.add(Role.ADMIN)
        return roles

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    @property
    def primary_role(self) -> Role:
        """The role whose home page this user sees first."""
        for role in (Role.ADMIN, Role.HR, Role.PRINCIPAL):
            if role in self.roles:
                return role
        return Role.TEACHER

    @property
    def scope_unit_ids(self) -> set[int]:
        return self.member_unit_ids

    @property
    def owner_id(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UnitMembership(db.Model):
    """A user's place in a unit: every member is staff; a principal leads the unit."""

    __tablename__ = "unit_membership"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    unit_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    role: so.Mapped[UnitRole] = so.mapped_column(enum_column(UnitRole), default=UnitRole.TEACHER)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship(back_populates="memberships")
    unit: so.Mapped[Unit] = so.relationship(back_populates="memberships")

    __table_args__ = (sa.UniqueConstraint("user_id", "unit_id"),)

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.unit_id}


class SchoolYear(db.Model):
    """A school year, 1 August to 31 July."""

    __tablename__ = "school_year"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)  # "2025–2026"
    starts_on: so.Mapped[date] = so.mapped_column(sa.Date, unique=True)
    ends_on: so.Mapped[date] = so.mapped_column(sa.Date)

    __table_args__ = (sa.CheckConstraint("ends_on > starts_on", name="ends_after_start"),)

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def __repr__(self) -> str:
        return f"<SchoolYear {self.name}>"


class CompetenceArea(db.Model):
    """A competence staff develop: a transversal competence L1–L7 or a strategy theme."""

    __tablename__ = "competence_area"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(20), unique=True)
    kind: so.Mapped[CompetenceKind] = so.mapped_column(enum_column(CompetenceKind))
    name_fi: so.Mapped[str] = so.mapped_column(sa.String(200))
    name_sv: so.Mapped[str] = so.mapped_column(sa.String(200))
    name_en: so.Mapped[str] = so.mapped_column(sa.String(200))
    sort_order: so.Mapped[int] = so.mapped_column(default=0)
    active: so.Mapped[bool] = so.mapped_column(default=True)

    def name_in(self, language: str) -> str:
        return {"fi": self.name_fi, "sv": self.name_sv}.get(language, self.name_en)

    @property
    def name(self) -> str:
        """The name in the language of the current request."""
        from pdservice.i18n import current_language

        return self.name_in(current_language())

    def __repr__(self) -> str:
        return f"<CompetenceArea {self.code}>"


class AuditLog(db.Model):
    """Who changed what, when: one row per change of a record that matters (GDPR)."""

    __tablename__ = "audit_log"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(80), index=True)
    entity_type: so.Mapped[str] = so.mapped_column(sa.String(80))
    entity_id: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    unit_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="SET NULL"), index=True
    )
    changes: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    actor: so.Mapped[User | None] = so.relationship()

    __table_args__ = (sa.Index("ix_audit_log_entity", "entity_type", "entity_id"),)


class LoginAttempt(db.Model):
    """A sign-in attempt, kept for throttling and for the security record."""

    __tablename__ = "login_attempt"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    succeeded: so.Mapped[bool] = so.mapped_column(default=False)
    remote_addr: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_login_attempt_email_at", "email", "at"),)
