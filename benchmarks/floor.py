"""The framework's own floor for a signed-in page: the product card's stack and nothing of
PRB's — Flask's signed cookie session, Flask-Login loading the user with one query through
Flask-SQLAlchemy (the generated database's `users` table), Flask-WTF's CSRF token for the
sign-out form, and a Jinja layout with a header, a menu, the user's name and a short page.

`make bench` serves it beside PRB, exactly as PRB is served (gunicorn, `prb serve`'s
settings), and measures its `/layout` in the same rounds as PRB's `/healthz` and account
page: the ratio a signed-in page of this stack reaches before it does anything of its own.

    FLOOR_DATABASE_URL=sqlite:///… gunicorn benchmarks.floor:app
"""

from __future__ import annotations

import os

from flask import Flask, abort, render_template
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Boolean, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean)


MENU = [
    "Dashboard",
    "Proposals",
    "Calls",
    "Board",
    "Finance",
    "Reports",
    "Reference data",
    "Audit",
    "Administration",
]

LAYOUT = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Your account · PRB</title>
  <link rel="stylesheet" href="/static/prb.css">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <div class="brand"><a href="/">PRB</a> <span class="brand-sub">Programme Review Board</span></div>
  <nav aria-label="Main"><ul>
    {% for label in menu %}<li><a href="/{{ label|lower|replace(' ', '-') }}/">{{ label }}</a></li>
    {% endfor %}
  </ul></nav>
  <div class="who">
    <a href="/notifications/">Notices</a>
    <a href="/account">{{ current_user.name }}</a>
    <form method="post" action="/logout" class="inline">
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      <button type="submit" class="link">Sign out</button>
    </form>
  </div>
</header>
<main id="main" tabindex="-1">
  <h1>Your account</h1>
  <dl class="facts">
    <dt>Name</dt><dd>{{ current_user.name }}</dd>
    <dt>E-mail</dt><dd>{{ current_user.email }}</dd>
  </dl>
</main>
<footer class="site-footer">PRB · Programme Review Board approval system · all times UTC</footer>
</body>
</html>
"""


def create_app(database_url: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="benchmark-floor",
        SQLALCHEMY_DATABASE_URI=database_url.replace("postgresql://", "postgresql+psycopg://"),
    )
    db.init_app(app)
    CSRFProtect(app)
    login_manager = LoginManager(app)
    # Compiled once, as PRB's templates are (render_template_string compiles on every call).
    page = app.jinja_env.from_string(LAYOUT)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @app.get("/sign-in/<int:user_id>")
    def sign_in(user_id: int) -> str:
        # A benchmark's stand-in for a sign-in form: this app never serves anyone.
        user = db.session.get(User, user_id)
        if user is None:
            abort(404)
        login_user(user)
        return "signed in"

    @app.get("/layout")
    @login_required
    def layout() -> str:
        return render_template(page, menu=MENU)

    return app


app = create_app(os.environ["FLOOR_DATABASE_URL"]) if "FLOOR_DATABASE_URL" in os.environ else None
