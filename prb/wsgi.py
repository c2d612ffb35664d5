"""The WSGI application for gunicorn: `gunicorn prb.wsgi:app` (or `prb serve`)."""

from prb import create_app

app = create_app()
