"""The baseline: a bare Flask app, served like the marketplace, reading the same database.

`GET /user` reads one user by primary key through a Flask-SQLAlchemy session (a
one-row ORM read, the least an API request on the database can do); `GET /const`
answers a constant without touching the database. Nothing of the marketplace runs
here: no auth, no checks, no headers, no spec.

    gunicorn --config scripts/gunicorn.conf.py benchmarks.bare_app:app
"""

import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from marketplace.config import database_url

USER_ID = 1


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ.get("DATABASE_URL"))
    db.init_app(app)

    @app.get("/user")
    def user():
        found = db.session.get(User, USER_ID)
        return {"id": found.id, "email": found.email, "name": found.name, "country": found.country}

    @app.get("/const")
    def const():
        return {"status": "ok"}

    return app


app = create_app()
