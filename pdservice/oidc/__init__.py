"""Signing in with the city's account: OpenID Connect providers (Entra ID, MPASSid, any
other) through Authlib, with a claim mapping to people, units and roles."""

from flask import Flask

from pdservice.oidc.config import providers_from_environment


def register(app: Flask) -> None:
    from pdservice.oidc.routes import bp

    if "OIDC_PROVIDERS" not in app.config:
        app.config["OIDC_PROVIDERS"] = providers_from_environment()
    app.register_blueprint(bp, url_prefix="/auth/oidc")
