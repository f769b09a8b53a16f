"""Provisioning by SCIM 2.0 (RFC 7643/7644) at /scim/v2: the city's identity provider creates,
changes, deactivates and deletes people and their groups; groups mapped to units and roles
give people their places. Administrators make tokens and map groups on the provisioning page."""

from flask import Flask


def register(app: Flask) -> None:
    from pdservice.scim.routes import bp

    app.config.setdefault("SCIM_GROUP_MAP", {})
    app.register_blueprint(bp, url_prefix="/scim/v2")
