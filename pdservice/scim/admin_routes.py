"""The provisioning page (administrators): the SCIM endpoint's address, its tokens, and what
each provisioned group stands for."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from pdservice.accounts.services import AccountError
from pdservice.auth.access import roles_required
from pdservice.core.enums import Role
from pdservice.core.models import Unit
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.scim.forms import GroupMappingForm, TokenForm
from pdservice.scim.models import ScimGroup, ScimGroupMember, ScimToken, ScimUser
from pdservice.scim.provisioning import map_group
from pdservice.scim.tokens import create_token, revoke_token

admin_bp = Blueprint("provisioning", __name__)


def _target_choices(units: list[Unit]) -> list[tuple[str, str]]:
    choices = [("", _("Nothing (the group changes no one's place)"))]
    for unit in units:
        choices.append((f"unit:{unit.id}:teacher", _("Staff of %(unit)s", unit=unit.name)))
        choices.append((f"unit:{unit.id}:principal", _("Principals of %(unit)s", unit=unit.name)))
    choices.append(("hr", _("HR (division-wide reports)")))
    choices.append(("admin", _("Administrators")))
    return choices


def _target_of(group: ScimGroup) -> str:
    if group.unit_id is not None and group.role is not None:
        return f"unit:{group.unit_id}:{group.role.value}"
    return group.role.value if group.role is not None else ""


def _page(new_token: str | None = None, token_form: TokenForm | None = None, status: int = 200):
    units = list(db.session.scalars(sa.select(Unit).order_by(Unit.name)))
    choices = _target_choices(units)
    tokens = list(db.session.scalars(sa.select(ScimToken).order_by(ScimToken.created_at.desc())))
    counts = dict(
        db.session.execute(
            sa.select(ScimGroupMember.group_id, sa.func.count()).group_by(ScimGroupMember.group_id)
        ).all()
    )
    groups = []
    for group in db.session.scalars(sa.select(ScimGroup).order_by(ScimGroup.display_name)):
        form = GroupMappingForm(prefix=f"g{group.id}", target=_target_of(group))
        form.target.choices = choices
        groups.append((group, counts.get(group.id, 0), form))
    provisioned = db.session.scalar(sa.select(sa.func.count()).where(ScimUser.deleted_at.is_(None)))
    return (
        render_template(
            "scim/provisioning.html",
            endpoint=url_for("scim.unknown", rest="", _external=True).rstrip("/"),
            tokens=tokens,
            token_form=token_form or TokenForm(),
            new_token=new_token,
            groups=groups,
            provisioned=provisioned,
        ),
        status,
    )


@admin_bp.route("/")
@roles_required(Role.ADMIN)
def index():
    return _page()


@admin_bp.route("/tokens", methods=["POST"])
@roles_required(Role.ADMIN)
def token_create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(token_form=form, status=422)
    _row, token = create_token(form.name.data, current_user._get_current_object())
    db.session.commit()
    # Shown in this answer only: not in a flash message, which the session cookie would carry.
    return _page(new_token=token, status=201)


@admin_bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def token_revoke(token_id: int):
    if not FlaskForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    row = db.session.get(ScimToken, token_id)
    if row is None:
        abort_with(404, _("The record was not found."))
    if revoke_token(row):
        db.session.commit()
        flash(_("The token %(name)s no longer works.", name=row.name), "success")
    return redirect(url_for("provisioning.index") + "#tokens")


@admin_bp.route("/groups/<int:group_id>", methods=["POST"])
@roles_required(Role.ADMIN)
def group_map(group_id: int):
    group = db.session.get(ScimGroup, group_id)
    if group is None:
        abort_with(404, _("The record was not found."))
    units = list(db.session.scalars(sa.select(Unit).order_by(Unit.name)))
    form = GroupMappingForm(prefix=f"g{group.id}")
    form.target.choices = _target_choices(units)
    if not form.validate_on_submit():
        abort_with(422, _("Choose what the group stands for."), fields=form.errors)
    target = form.target.data or ""
    unit, role = None, None
    if target.startswith("unit:"):
        _kind, unit_id, role_value = target.split(":")
        unit = db.session.get(Unit, int(unit_id))
        role = Role(role_value)
    elif target:
        role = Role(target)
    try:
        map_group(group, unit, role, source="admin")
    except AccountError as exc:  # a mapping that would leave no active administrator
        db.session.rollback()
        abort_with(409, str(exc))
    db.session.commit()
    flash(_("The group %(name)s has been mapped.", name=group.display_name), "success")
    return redirect(url_for("provisioning.index") + "#groups")
