"""The one place where blueprints are registered."""

from flask import Flask
from werkzeug.routing import IntegerConverter

from marketplace import ops
from marketplace.accounts.routes import blp as accounts
from marketplace.admin.routes import blp as admin
from marketplace.bids.routes import blp as bids
from marketplace.contracts.routes import blp as contracts
from marketplace.disputes.routes import blp as disputes
from marketplace.events.routes import blp as events
from marketplace.extensions import api
from marketplace.fields import MAX_ID
from marketplace.files.routes import blp as files
from marketplace.jobs.routes import blp as jobs
from marketplace.payments.routes import blp as payments
from marketplace.payments.webhooks import blp as webhooks
from marketplace.profiles.routes import profiles_blp as profiles
from marketplace.profiles.routes import reviews_blp as reviews


class IdConverter(IntegerConverter):
    """A positive id that fits the database's integer: anything else is simply not found.

    Other numbers still match the route, as id 0 that no row has, so the view answers
    404. Refusing them here would make werkzeug answer 405 wherever the same path has
    routes for other methods.
    """

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)  # what the spec documents

    def to_python(self, value: str) -> int:
        if len(value) > len(str(MAX_ID)):
            return 0
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.register_blueprint(ops.blp)
    app.register_blueprint(ops.docs_assets)
    # In the order the spec lists their operations. The profiles and reviews blueprints add
    # no tag: each of their routes names the tag it is listed under (accounts, contracts).
    untagged = (profiles, reviews)
    for blueprint in (
        accounts,
        profiles,
        jobs,
        bids,
        contracts,
        files,
        reviews,
        payments,
        disputes,
        admin,
        events,
        webhooks,
    ):
        api.register_blueprint(blueprint, tagged=blueprint not in untagged)
