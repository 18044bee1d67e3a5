"""Build what a test needs straight in the database, quickly."""

import itertools
from dataclasses import dataclass

from flask import Flask

from marketplace.accounts.auth import TOKEN_PREFIX, hash_secret, new_secret
from marketplace.accounts.models import ApiToken, User, UserStatus
from marketplace.accounts.service import hash_password
from marketplace.extensions import db

PASSWORD = "correct horse battery"
_serial = itertools.count(1)


@dataclass
class Actor:
    """A user a test acts as: their id, credentials and a bearer token."""

    id: int
    email: str
    role: str
    name: str
    password: str
    token: str


class Factory:
    def __init__(self, app: Flask):
        self.app = app

    def user(
        self,
        role: str = "client",
        *,
        country: str = "US",
        suspended: bool = False,
        name: str | None = None,
    ) -> Actor:
        n = next(_serial)
        email = f"{role}{n}@example.test"
        name = name or f"{role.title()} {n}"
        token = TOKEN_PREFIX + new_secret()
        with self.app.app_context():
            user = User(
                email=email,
                role=role,
                name=name,
                country=country,
                skills=[],
                bio="",
                password_hash=hash_password(PASSWORD),
                status=UserStatus.SUSPENDED if suspended else UserStatus.ACTIVE,
            )
            db.session.add(user)
            db.session.add(ApiToken(user=user, name="tests", token_hash=hash_secret(token)))
            db.session.flush()
            user_id = user.id  # after the commit, reading it would load the row again
            db.session.commit()
            return Actor(user_id, email, role, name, PASSWORD, token)

    def client(self, **kwargs) -> Actor:
        return self.user("client", **kwargs)

    def freelancer(self, **kwargs) -> Actor:
        return self.user("freelancer", **kwargs)

    def admin(self, **kwargs) -> Actor:
        return self.user("admin", **kwargs)

    def suspend(self, actor: Actor) -> None:
        with self.app.app_context():
            user = db.session.get(User, actor.id)
            user.status = UserStatus.SUSPENDED
            user.suspended_reason = "tests"
            db.session.commit()
