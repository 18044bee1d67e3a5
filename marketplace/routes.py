"""The one place where blueprints are registered."""

from flask import Flask

from marketplace import ops
from marketplace.accounts.routes import blp as accounts
from marketplace.extensions import api


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(ops.blp)
    app.register_blueprint(ops.docs_assets)
    for blueprint in (accounts,):
        api.register_blueprint(blueprint)
