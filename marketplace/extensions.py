"""Every Flask extension the marketplace uses, created here and only here."""

import logging
from functools import cache

import flask_smorest
from flask import g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_login.signals import user_accessed
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema, fields
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from marketplace.context import this_app
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


# The fields webargs reads every value of a repeated argument into (its MultiDictProxy's).
MULTIPLE_FIELDS = (fields.List, fields.Tuple)


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
        return _plain(parts, schema)

    def load_querystring(self, req, schema):
        return _plain(req.args, schema)

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return _shared_instance(argmap)
        return super()._get_schema(argmap, req)


def _plain(multidict, schema: Schema) -> dict:
    """A multidict's arguments as the schema reads them: a list for a list field (`skill`
    sent again and again), else the first value; as webargs' proxy would give them.

    marshmallow asks for every field, sent or not, and werkzeug's MultiDict answers each
    one not sent by raising (and webargs catching) a BadRequestKeyError.
    """
    multiple = {
        name if field.data_key is None else field.data_key
        for name, field in schema.fields.items()
        if _is_multiple(field)
    }
    return {key: multidict.getlist(key) if key in multiple else multidict[key] for key in multidict}


def _is_multiple(field) -> bool:
    declared = getattr(field, "is_multiple", None)
    return isinstance(field, MULTIPLE_FIELDS) if declared is None else declared


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


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, without making a signer for a request that has no cookie.

    Most requests carry a bearer token and no cookie: their session is a new empty one
    and stays so, which needs no signing either way. Answers are unchanged, `Vary: Cookie`
    included.
    """

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class MarketplaceLoginManager(LoginManager):
    """Flask-Login, loading the user of a request without cookies straight from its token.

    With no cookie the session is empty (so session protection has nothing to check)
    and there is no remember cookie: Flask-Login would end at the request loader anyway,
    after hashing the client's address and user agent for the session check.
    """

    def _load_user(self):
        if "HTTP_COOKIE" in request.environ or session:
            return super()._load_user()
        user_accessed.send(this_app())
        # Flask-Login reads the session's user id: the answer varies by Cookie.
        session.accessed = True
        return self._update_request_context_with_user(self._load_user_from_request(request))


db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = MarketplaceLoginManager()
api = MarketplaceApi()
# IPv6 clients are counted by their /64, so rotating addresses in it does not escape.
limiter = MarketplaceLimiter(key_func=client_address_key)
