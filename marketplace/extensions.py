"""Every Flask extension the marketplace uses, created here and only here."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy

from marketplace.database import Base
from marketplace.spec import ConventionsPlugin, ProblemSchema


class MarketplaceApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app, *, spec_kwargs=None):
        """Build the spec with the marketplace's conventions (marketplace/spec.py)."""
        spec_kwargs = {"extra_plugins": [ConventionsPlugin(app)], **(spec_kwargs or {})}
        super().init_app(app, spec_kwargs=spec_kwargs)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
api = MarketplaceApi()
limiter = Limiter(key_func=get_remote_address)
