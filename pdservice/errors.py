"""Error pages in HTML for browsers and one JSON shape for API clients.

JSON body: {"error": <short code>, "message": <text for people>, "fields": {...}}.
A 500 rolls the session back so no half-written change survives.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from pdservice.extensions import db


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthorized", _("Please sign in.")),
        403: ("forbidden", _("You do not have access to this page.")),
        404: ("not_found", _("The page or record was not found.")),
        405: ("method_not_allowed", _("This address does not accept that kind of request.")),
        409: ("conflict", _("The record was changed at the same time. Please try again.")),
        413: ("too_large", _("The uploaded file is too large.")),
        422: ("invalid", _("Some of the information given is not valid.")),
        429: ("too_many_requests", _("Too many requests. Please wait a moment.")),
        500: ("server_error", _("Something went wrong on our side. Nothing was saved.")),
        503: ("busy", _("The service is busy. Nothing was saved; please try again.")),
    }


def error_response(
    status: int, message: str | None = None, fields: dict[str, Any] | None = None
) -> tuple[Response | str, int]:
    code, default_message = _messages().get(status, ("error", _("Something went wrong.")))
    message = message or default_message
    if wants_json():
        return jsonify(error=code, message=message, fields=fields or {}), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return error_response(
            400, _("The form had expired or was not sent from this site. Please try again.")
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        return error_response(
            status,
            getattr(exc, "pdservice_message", None),
            getattr(exc, "pdservice_fields", None),
        )

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc: OperationalError):
        db.session.rollback()
        app.logger.warning("database busy or unreachable on %s: %s", request.path, exc)
        return error_response(503)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)


def abort_with(status: int, message: str, fields: dict[str, Any] | None = None):
    """Stop the request with `status` and a message the user reads."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[status]()
    exc.pdservice_message = message  # type: ignore[attr-defined]
    if fields:
        exc.pdservice_fields = fields  # type: ignore[attr-defined]
    raise exc
