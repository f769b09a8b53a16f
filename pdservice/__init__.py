"""pdservice: staff professional development and co-teaching scheduling.

`create_app` reads as the table of contents of the application.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from flask import Flask

from pdservice.config import load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("PDSERVICE_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="static",
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, config))
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    import pdservice.models  # noqa: F401 - every model known to SQLAlchemy and Alembic
    from pdservice import i18n, nav, security
    from pdservice.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(__file__), "..", "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    i18n.init_app(app)
    nav.init_app(app)
    security.init_app(app)

    from pdservice.auth.login import init_login

    init_login(app, login_manager)

    from pdservice import templating

    templating.init_app(app)


def register_blueprints(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from pdservice.admin import bp as admin_bp
    from pdservice.auth import bp as auth_bp
    from pdservice.core.enums import Role
    from pdservice.main import bp as main_bp
    from pdservice.nav import add_nav_item

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")

    add_nav_item(app, "main.home", _l("Home"), set(Role), order=0)
    add_nav_item(app, "admin.users", _l("Users"), {Role.ADMIN}, order=90, group="admin")
    add_nav_item(app, "admin.units", _l("Units"), {Role.ADMIN}, order=91, group="admin")
    add_nav_item(app, "admin.audit_log", _l("Change log"), {Role.ADMIN}, order=92, group="admin")

    for name in FEATURES:
        importlib.import_module(name).register(app)


# Feature packages, each with a `register(app)` function that registers its blueprint(s),
# navigation items and home-page panels.
FEATURES: list[str] = [
    "pdservice.notifications",
    "pdservice.calendar",
    "pdservice.competences",
    "pdservice.training",
    "pdservice.hours",
    "pdservice.timetable",
    "pdservice.teams",
    "pdservice.coteaching",
    "pdservice.strategy",
    "pdservice.hr_reports",
    "pdservice.scim",
    "pdservice.oidc",
]


def register_errorhandlers(app: Flask) -> None:
    from pdservice import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from pdservice.cli import i18n_cli, seed_cli
    from pdservice.jobs.cli import jobs_cli

    app.cli.add_command(seed_cli)
    app.cli.add_command(i18n_cli)
    app.cli.add_command(jobs_cli)
