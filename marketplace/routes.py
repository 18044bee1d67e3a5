"""The one place where blueprints are registered."""

from flask import Flask

from marketplace import ops
from marketplace.accounts.routes import blp as accounts
from marketplace.bids.routes import blp as bids
from marketplace.contracts.routes import blp as contracts
from marketplace.extensions import api
from marketplace.jobs.routes import blp as jobs


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(ops.blp)
    app.register_blueprint(ops.docs_assets)
    for blueprint in (accounts, jobs, bids, contracts):
        api.register_blueprint(blueprint)
