"""Every Flask extension the marketplace uses, created here and only here."""

import marshmallow as ma
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy

from marketplace.database import Base


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem: every error response of the API."""

    type = ma.fields.String(metadata={"example": "/problems/validation-failed"})
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Field errors, on a 422."},
    )


class MarketplaceApi(Api):
    ERROR_SCHEMA = ProblemSchema


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
api = MarketplaceApi()
limiter = Limiter(key_func=get_remote_address)
