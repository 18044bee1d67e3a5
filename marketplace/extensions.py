"""Every Flask extension the marketplace uses, created here and only here."""

import logging
from functools import cache

import flask_smorest
from flask import g
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from marketplace.database import Base
from marketplace.network import client_address_key
from marketplace.spec import ConventionsPlugin, ProblemSchema


class MarketplaceApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app, *, spec_kwargs=None):
        """Build the spec with the marketplace's conventions (marketplace/spec.py)."""
        spec_kwargs = {"extra_plugins": [ConventionsPlugin(app)], **(spec_kwargs or {})}
        super().init_app(app, spec_kwargs=spec_kwargs)

    def register_blueprint(self, blp, *, tagged: bool = True, **options):
        """Register a blueprint; untagged, it adds no tag of its name to the spec.

        An untagged blueprint's routes each name the tag they are listed under.
        """
        super().register_blueprint(blp, **options)
        if not tagged:
            # apispec keeps its tags in a plain list, with no call to take one back.
            self.spec._tags.remove(
                {"name": options.get("name", blp.name), "description": blp.description}
            )


class ArgumentsParser(FlaskParser):
    """webargs' parser, loading every request's arguments with one instance per schema class.

    webargs makes a new instance of a schema class for each request, and making one
    deep-copies every field: a tenth of a millisecond on each request with arguments.
    The argument schemas keep no state between loads (no context, no hooks that
    store anything), so one instance serves every request and thread.
    """

    # A multipart body's fields are a body's: an unknown one is refused (webargs would
    # drop it), as an unknown JSON field is.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "files": None}

    def _raw_load_json(self, req):
        """The body as marketplace/inputs.py parsed and checked it before the view.

        Parsing it again would hold every object in it at once: a delivery's records,
        which inputs.py leaves to be read one at a time, would take some 40 MB for 50,000.
        """
        parsed = g.get("parsed_json")
        if parsed is not None:
            return parsed
        return super()._raw_load_json(req)

    def load_files(self, req, schema):
        """A multipart body as one set of arguments: its form fields and its files.

        OpenAPI describes a multipart body as one object whose properties are its parts,
        files or not; webargs would read files and form fields as two locations.
        """
        parts = CombinedMultiDict([req.form, req.files])
        # webargs would take the first of a repeated part and drop the rest unseen.
        repeated = sorted(name for name in parts if len(parts.getlist(name)) > 1)
        if repeated:
            from marketplace.errors import ValidationFailed  # errors imports this module

            raise ValidationFailed({name: ["Sent more than once."] for name in repeated})
        return self._makeproxy(parts, schema)

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return _shared_instance(argmap)
        return super()._get_schema(argmap, req)


@cache
def _shared_instance(schema: type[Schema]) -> Schema:
    return schema()


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with the marketplace's ArgumentsParser: every route uses it."""

    ARGUMENTS_PARSER = ArgumentsParser()


class MarketplaceLimiter(Limiter):
    """Flask-Limiter, saying in the app's log when it counts in process memory instead of the store.

    Flask-Limiter switches to its in-memory fallback by itself but logs it only to a logger
    with a null handler; operators must hear that limits are now per process.
    """

    _log = logging.getLogger("marketplace.rate_limits")
    _falling_back = False

    @property
    def limiter(self):
        strategy = super().limiter
        falling_back = strategy.storage is not self.storage
        if falling_back != self._falling_back:
            self._falling_back = falling_back
            if falling_back:
                self._log.warning(
                    "Rate-limit store %s unreachable: counting limits in each process's memory",
                    self.storage.__class__.__name__,
                )
            else:
                self._log.warning("Rate-limit store reachable again: counting limits in it")
        return strategy


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
api = MarketplaceApi()
# IPv6 clients are counted by their /64, so rotating addresses in it does not escape.
limiter = MarketplaceLimiter(key_func=client_address_key)
