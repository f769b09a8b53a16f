from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from pdservice.auth.access import get_scoped_or_404, roles_required
from pdservice.core.enums import Language, Role, UnitRole
from pdservice.core.models import AuditLog, Unit, UnitMembership, User
from pdservice.core.services import audit, current_school_year
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.home import account_sections_for, panels_for
from pdservice.jobs.models import JobHeartbeat
from pdservice.main import bp
from pdservice.main.forms import LanguageForm, PreferencesForm


@bp.before_app_request
def _force_password_change():
    """A user with a temporary password may only change it (or sign out)."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint
        not in {"auth.change_password", "auth.logout", "static", "main.set_language"}
    ):
        return redirect(url_for("auth.change_password"))
    return None


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/home")
@login_required
def home():
    role = current_user.primary_role
    year = current_school_year()
    db.session.commit()  # the school year may have been created just now
    context = {"role": role, "school_year": year}
    if role == Role.ADMIN:
        context["counts"] = {
            "users": db.session.scalar(sa.select(sa.func.count(User.id))),
            "active_users": db.session.scalar(
                sa.select(sa.func.count(User.id)).where(User.active.is_(True))
            ),
            "units": db.session.scalar(sa.select(sa.func.count(Unit.id))),
        }
        context["heartbeats"] = db.session.scalars(
            sa.select(JobHeartbeat).order_by(JobHeartbeat.job_id)
        ).all()
        context["recent_changes"] = db.session.scalars(
            sa.select(AuditLog).order_by(AuditLog.at.desc()).limit(10)
        ).all()
    elif role == Role.HR:
        context["unit_rows"] = _unit_staff_counts(None)
    elif role == Role.PRINCIPAL:
        context["unit_rows"] = _unit_staff_counts(current_user.principal_unit_ids)
    context["my_units"] = sorted((m for m in current_user.memberships), key=lambda m: m.unit.name)
    context["panels"] = panels_for(current_app, current_user)
    return render_template("main/home.html", **context)


def _unit_staff_counts(unit_ids: set[int] | None) -> list[tuple[Unit, int]]:
    query = (
        sa.select(Unit, sa.func.count(UnitMembership.id))
        .outerjoin(UnitMembership, UnitMembership.unit_id == Unit.id)
        .group_by(Unit.id)
        .order_by(Unit.name)
    )
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    return [(unit, count) for unit, count in db.session.execute(query)]


@bp.route("/units/<int:unit_id>")
@roles_required(Role.TEACHER)
def unit_detail(unit_id: int):
    """A unit's staff list: for its members, its principals, HR and admins."""
    unit = get_scoped_or_404(
        Unit, unit_id, roles=(Role.TEACHER, Role.PRINCIPAL, Role.HR, Role.ADMIN)
    )
    memberships = db.session.scalars(
        sa.select(UnitMembership)
        .join(User)
        .where(UnitMembership.unit_id == unit.id, User.active.is_(True))
        .order_by(UnitMembership.role.desc(), User.name)
        .options(sa.orm.joinedload(UnitMembership.user))
    ).all()
    return render_template("main/unit.html", unit=unit, memberships=memberships, UnitRole=UnitRole)


def _same_site(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("main.index")


@bp.route("/language", methods=["POST"])
def set_language():
    """The language switcher: kept in the session, and as the preference when signed in."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort_with(400, _("Choose one of the offered languages."))
    session["language"] = form.language.data
    if current_user.is_authenticated:
        current_user.preferred_language = Language(form.language.data)
        db.session.commit()
    return redirect(_same_site(form.next.data))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        new = Language(form.preferred_language.data)
        if new != current_user.preferred_language:
            audit(
                "user.preferences_changed",
                current_user,
                changes={"preferred_language": [current_user.preferred_language, new]},
            )
            current_user.preferred_language = new
            db.session.commit()
        flash(_("Your preferences have been saved."), "success")
        return redirect(url_for("main.account"))
    status = 422 if request.method == "POST" else 200
    sections = account_sections_for(current_app, current_user)
    return render_template("main/account.html", form=form, sections=sections), status
