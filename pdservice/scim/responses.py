"""SCIM answers: `application/scim+json` bodies and RFC 7644 Error messages."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from scim2_models import Context, Error

MEDIA_TYPE = "application/scim+json"


def scim_response(payload: dict[str, Any] | None, status: int = 200, **headers: str) -> Response:
    body = "" if payload is None else json.dumps(payload, ensure_ascii=False)
    response = Response(body, status=status, content_type=MEDIA_TYPE)
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_response(error: Error) -> Response:
    return scim_response(error.model_dump(scim_ctx=Context.DEFAULT), int(error.status or 400))
