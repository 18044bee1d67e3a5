"""The baseline: a bare Flask app, served like the marketplace, reading the same database.

`GET /user` reads one user by primary key through a Flask-SQLAlchemy session (a
one-row ORM read, the least an API request on the database can do); `GET /const`
answers a constant without touching the database. `POST /flow` is a money step's
database work and nothing else: `statements` statements in `commits` durable
commits (each transaction writes its worker's row of `bare_flow` first, then reads
it), as many as the marketplace's step sends. Nothing of the marketplace runs here:
no auth, no checks, no headers, no spec.

    gunicorn --config scripts/gunicorn.conf.py benchmarks.bare_app:app
"""

import os

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, create_engine, insert, select, update
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


class FlowRow(db.Model):
    """A row a worker of the bare money flow writes, one per worker (no waits on locks)."""

    __tablename__ = "bare_flow"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


def create_flow_rows(url: str, count: int) -> None:
    """The `bare_flow` table with rows 1..count, made before the app serves."""
    engine = create_engine(url)
    try:
        FlowRow.__table__.drop(engine, checkfirst=True)
        FlowRow.__table__.create(engine)
        with engine.begin() as connection:
            connection.execute(insert(FlowRow), [{"id": i, "n": 0} for i in range(1, count + 1)])
    finally:
        engine.dispose()


def transactions(statements: int, commits: int) -> list[int]:
    """How many statements each of `commits` transactions sends: the first the remainder."""
    share, rest = divmod(statements, commits)
    return [share + rest] + [share] * (commits - 1)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ.get("DATABASE_URL"))
    db.init_app(app)

    @app.get("/user")
    def user():
        found = db.session.get(User, USER_ID)
        return {"id": found.id, "email": found.email, "name": found.name, "country": found.country}

    @app.post("/flow")
    def flow():
        row = int(request.args["row"])
        sizes = transactions(int(request.args["statements"]), int(request.args["commits"]))
        for size in sizes:
            db.session.execute(update(FlowRow).where(FlowRow.id == row).values(n=FlowRow.n + 1))
            for _ in range(size - 1):
                db.session.execute(select(FlowRow.n).where(FlowRow.id == row)).scalar_one()
            db.session.commit()
        return {"status": "ok"}

    @app.get("/const")
    def const():
        return {"status": "ok"}

    return app


app = create_app()
