from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from pdservice.auth import bp
from pdservice.auth.forms import ChangePasswordForm, LoginForm
from pdservice.auth.services import sign_in
from pdservice.core.services import audit, set_password
from pdservice.extensions import db


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 200
    if form.validate_on_submit():
        result = sign_in(form.email.data, form.password.data, request.remote_addr)
        db.session.commit()
        if result.locked_minutes:
            flash(
                _(
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
                    minutes=result.locked_minutes,
                ),
                "error",
            )
            status = 429
        elif not result.ok:
            flash(_("Wrong email or password."), "error")
            status = 401
        else:
            login_user(result.user)
            if result.user.must_change_password:
                flash(_("Please choose a new password."), "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(form.next.data) or url_for("main.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
            status = 422
        else:
            user = current_user._get_current_object()
            set_password(user, form.new_password.data)
            audit("user.password_changed", user)
            db.session.commit()
            # The session version changed: sign in again in this browser only.
            login_user(user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form), status
