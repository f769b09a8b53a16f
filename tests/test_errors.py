"""Error pages: HTML for browsers, one JSON shape for API clients, never a raw 500."""

import pytest
from flask import Blueprint

from pdservice.extensions import db


def test_404_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "The page or record was not found." in response.get_data(as_text=True)


def test_404_json_when_asked(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {
        "error": "not_found",
        "message": "The page or record was not found.",
        "fields": {},
    }


def test_405_for_wrong_method(client):
    assert client.get("/logout").status_code == 405


def test_oversized_upload_is_413(client, app, world, login):
    login(world.admin)
    big = b"name,email\n" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    from io import BytesIO

    response = client.post(
        "/admin/import",
        data={"file": (BytesIO(big), "staff.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


@pytest.fixture
def boom_app(app, database_url):
    """An app with a route that fails after writing, to prove the write is rolled back."""
    from pdservice import create_app

    app = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=database_url))
    if True:
        bp = Blueprint("boom", __name__)

        @bp.route("/__boom")
        def boom():
            from pdservice.core.models import Unit

            db.session.add(
                Unit(code="half-written", name="x", kind="comprehensive_school", language="fi")
            )
            db.session.flush()
            raise RuntimeError("kaboom")

        app.register_blueprint(bp)
    return app


def test_unexpected_error_is_a_500_page_and_rolls_back(boom_app):
    client = boom_app.test_client()
    boom_app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/__boom", headers={"Accept-Language": "en"})
    finally:
        boom_app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "Nothing was saved" in response.get_data(as_text=True)
    from pdservice.core.models import Unit

    with boom_app.app_context():
        assert db.session.query(Unit).filter_by(code="half-written").count() == 0


def test_500_json(boom_app):
    client = boom_app.test_client()
    boom_app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/__boom", headers={"Accept": "application/json"})
    finally:
        boom_app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert response.json["error"] == "server_error"
