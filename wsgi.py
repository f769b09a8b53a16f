"""WSGI entry point: `gunicorn wsgi:app`."""

from pdservice import create_app

app = create_app()
