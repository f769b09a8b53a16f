"""Administration: users, memberships, units and the staff CSV import. Admins only."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from pdservice.admin import bp
from pdservice.admin.forms import ConfirmForm, MembershipForm, StaffImportForm, UnitForm, UserForm
from pdservice.admin.staff_import import apply_staff_import, parse_staff_csv
from pdservice.auth.access import roles_required
from pdservice.core.enums import Language, Profession, Role, UnitKind, UnitRole
from pdservice.core.models import Unit, UnitMembership, User
from pdservice.core.services import audit, diff, find_user_by_email, normalise_email, set_password
from pdservice.errors import abort_with
from pdservice.extensions import db

PAGE_SIZE = 50
USER_FIELDS = ["name", "email", "profession", "fte", "preferred_language", "is_hr", "is_admin"]


def _get_or_404(model, obj_id):
    obj = db.session.get(model, obj_id)
    if obj is None:
        abort_with(404, _("The record was not found."))
    return obj


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    q = request.args.get("q", "").strip()
    unit_id = request.args.get("unit", type=int)
    page = max(1, request.args.get("page", 1, type=int))
    query = sa.select(User).order_by(User.name)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(sa.or_(sa.func.lower(User.name).like(like), User.email.like(like)))
    if unit_id:
        query = query.where(
            User.id.in_(sa.select(UnitMembership.user_id).where(UnitMembership.unit_id == unit_id))
        )
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    units = db.session.scalars(sa.select(Unit).order_by(Unit.name)).all()
    return render_template(
        "admin/users.html", pagination=pagination, q=q, unit_id=unit_id, units=units
    )


def _user_values(form: UserForm) -> dict:
    return {
        "name": form.name.data.strip(),
        "email": normalise_email(form.email.data),
        "profession": Profession(form.profession.data),
        "fte": form.fte.data,
        "preferred_language": Language(form.preferred_language.data),
        "is_hr": bool(form.is_hr.data),
        "is_admin": bool(form.is_admin.data),
    }


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        values = _user_values(form)
        if find_user_by_email(values["email"]) is not None:
            form.email.errors.append(_("Another user already has this email address."))
            status = 409
        else:
            user = User(**values, active=True)
            if form.password.data:
                set_password(user, form.password.data, must_change=True)
            db.session.add(user)
            db.session.flush()
            audit("user.created", user, changes=dict(values.items()))
            db.session.commit()
            flash(_("User %(name)s created.", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif request.method == "POST":
        status = 422
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):
    user = _get_or_404(User, user_id)
    form = UserForm(obj=user)
    membership_form = MembershipForm()
    membership_form.unit_id.choices = [
        (u.id, u.name) for u in db.session.scalars(sa.select(Unit).order_by(Unit.name))
    ]
    status = 200
    if form.validate_on_submit():
        values = _user_values(form)
        other = find_user_by_email(values["email"])
        if other is not None and other.id != user.id:
            form.email.errors.append(_("Another user already has this email address."))
            status = 409
        elif user.id == current_user.id and not values["is_admin"]:
            form.is_admin.errors.append(_("You cannot remove your own administrator role."))
            status = 422
        else:
            changes = diff(user, USER_FIELDS, values)
            for key, value in values.items():
                setattr(user, key, value)
            if form.password.data:
                set_password(user, form.password.data, must_change=True)
                changes["password"] = ["", _("temporary password set")]
            if changes:
                audit("user.updated", user, changes=changes)
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "admin/user_form.html",
            form=form,
            user=user,
            membership_form=membership_form,
            confirm_form=ConfirmForm(),
        ),
        status,
    )


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def user_toggle_active(user_id: int):
    user = _get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    if user.id == current_user.id:
        abort_with(409, _("You cannot deactivate your own account."))
    user.active = not user.active
    user.session_version += 1  # signs the user out everywhere
    audit("user.activated" if user.active else "user.deactivated", user)
    db.session.commit()
    if user.active:
        flash(_("%(name)s can sign in again.", name=user.name), "success")
    else:
        flash(
            _("%(name)s has been deactivated and can no longer sign in.", name=user.name), "success"
        )
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/memberships", methods=["POST"])
@roles_required(Role.ADMIN)
def membership_add(user_id: int):
    user = _get_or_404(User, user_id)
    form = MembershipForm()
    form.unit_id.choices = [(u.id, u.name) for u in db.session.scalars(sa.select(Unit))]
    if not form.validate_on_submit():
        abort_with(422, _("Choose a unit and a role."), fields=form.errors)
    role = UnitRole(form.role.data)
    existing = db.session.scalar(
        sa.select(UnitMembership).where(
            UnitMembership.user_id == user.id, UnitMembership.unit_id == form.unit_id.data
        )
    )
    if existing is not None:
        if existing.role != role:
            audit(
                "membership.updated",
                user,
                unit_id=existing.unit_id,
                changes={"role": [existing.role, role]},
            )
            existing.role = role
    else:
        db.session.add(UnitMembership(user_id=user.id, unit_id=form.unit_id.data, role=role))
        audit("membership.created", user, unit_id=form.unit_id.data, changes={"role": role})
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort_with(409, _("The membership was changed at the same time. Please try again."))
    flash(_("Membership saved."), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/memberships/<int:membership_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def membership_delete(membership_id: int):
    membership = _get_or_404(UnitMembership, membership_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    user_id = membership.user_id
    audit(
        "membership.deleted",
        membership.user,
        unit_id=membership.unit_id,
        changes={"role": membership.role},
    )
    db.session.delete(membership)
    db.session.commit()
    flash(_("Membership removed."), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.route("/units")
@roles_required(Role.ADMIN)
def units():
    rows = db.session.execute(
        sa.select(Unit, sa.func.count(UnitMembership.id))
        .outerjoin(UnitMembership)
        .group_by(Unit.id)
        .order_by(Unit.name)
    ).all()
    return render_template("admin/units.html", rows=rows)


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def unit_form(unit_id: int | None = None):
    unit = _get_or_404(Unit, unit_id) if unit_id is not None else None
    form = UnitForm(obj=unit)
    status = 200
    if form.validate_on_submit():
        values = {
            "code": form.code.data.strip(),
            "name": form.name.data.strip(),
            "kind": UnitKind(form.kind.data),
            "language": Language(form.language.data),
            "active": bool(form.active.data),
        }
        clash = db.session.scalar(sa.select(Unit).where(Unit.code == values["code"]))
        if clash is not None and clash is not unit:
            form.code.errors.append(_("Another unit already has this code."))
            status = 409
        else:
            if unit is None:
                unit = Unit(**values)
                db.session.add(unit)
                db.session.flush()
                audit("unit.created", unit, unit_id=unit.id, changes=values)
            else:
                changes = diff(unit, list(values), values)
                for key, value in values.items():
                    setattr(unit, key, value)
                if changes:
                    audit("unit.updated", unit, unit_id=unit.id, changes=changes)
            db.session.commit()
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for("admin.units"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/unit_form.html", form=form, unit=unit), status


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def staff_import():
    form = StaffImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        report = parse_staff_csv(form.file.data.read())
        if report.ok:
            apply_staff_import(report)
            audit(
                "user.import",
                entity_type="User",
                changes={
                    "users_created": report.users_created,
                    "memberships_added": report.memberships_added,
                    "users_updated": report.users_updated,
                },
            )
            db.session.commit()
            flash(
                _(
                    "Imported: %(created)d new users, %(memberships)d new memberships, "
                    "%(updated)d updated.",
                    created=report.users_created,
                    memberships=report.memberships_added,
                    updated=report.users_updated,
                ),
                "success",
            )
            return redirect(url_for("admin.users"))
        db.session.rollback()
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("admin/import.html", form=form, report=report), status


@bp.route("/audit")
@roles_required(Role.ADMIN)
def audit_log():
    """Who changed what, when: filter by action, person, unit and date."""
    from pdservice.admin.forms import AuditFilterForm
    from pdservice.core.models import AuditLog

    form = AuditFilterForm(request.args, meta={"csrf": False})
    form.unit.choices = [(0, _("All units"))] + [
        (u.id, u.name) for u in db.session.scalars(sa.select(Unit).order_by(Unit.name))
    ]
    if request.args and not form.validate():
        abort_with(400, _("Check the filters."), fields=form.errors)
    query = sa.select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if form.action.data:
        query = query.where(AuditLog.action.like(f"{form.action.data.strip()}%"))
    if form.actor.data:
        like = f"%{form.actor.data.strip().lower()}%"
        query = query.join(User, AuditLog.actor_id == User.id).where(
            sa.or_(sa.func.lower(User.name).like(like), User.email.like(like))
        )
    if form.unit.data:
        query = query.where(AuditLog.unit_id == form.unit.data)
    if form.since.data:
        query = query.where(AuditLog.at >= _local_midnight(form.since.data))
    if form.until.data:
        query = query.where(AuditLog.at < _local_midnight(form.until.data, days=1))
    page = max(1, request.args.get("page", 1, type=int))
    pagination = db.paginate(
        query.options(sa.orm.joinedload(AuditLog.actor)),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, pagination=pagination, args=args)


def _local_midnight(day, days: int = 0):
    from datetime import datetime, time, timedelta

    from pdservice.clock import HELSINKI

    return datetime.combine(day + timedelta(days=days), time(), tzinfo=HELSINKI)
