"""Provisioning by SCIM 2.0 (RFC 7643/7644) at /scim/v2: the city's identity provider creates,
changes, deactivates and deletes people and their groups; groups mapped to units and roles
give people their places. Administrators make tokens and map groups on the provisioning page."""

from flask import Flask


def register(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from pdservice.core.enums import Role
    from pdservice.nav import add_nav_item
    from pdservice.scim.admin_routes import admin_bp
    from pdservice.scim.routes import bp

    app.config.setdefault("SCIM_GROUP_MAP", {})
    app.register_blueprint(bp, url_prefix="/scim/v2")
    app.register_blueprint(admin_bp, url_prefix="/admin/provisioning")
    add_nav_item(
        app, "provisioning.index", _l("Provisioning"), {Role.ADMIN}, order=93, group="admin"
    )
