"""HTTP endpoints of public profiles and reviews.

API users find these operations where they always were: the profile under accounts,
reviews under contracts. Each route names its tag, and marketplace/routes.py registers
these blueprints without tags of their own.
"""

from flask_login import current_user

from marketplace.extensions import Blueprint
from marketplace.pagination import PageArgsSchema, page_schema
from marketplace.profiles import schemas, service

profiles_blp = Blueprint("profiles", __name__, url_prefix="/api/v1")
reviews_blp = Blueprint("reviews", __name__, url_prefix="/api/v1")


@profiles_blp.get("/users/<id:user_id>", tags=["accounts"])
@profiles_blp.response(200, schemas.PublicUserSchema)
def get_user(user_id):
    """A user's public profile."""
    return service.get_profile(user_id)


@reviews_blp.post("/contracts/<id:contract_id>/reviews", tags=["contracts"])
@reviews_blp.arguments(schemas.ReviewCreateSchema)
@reviews_blp.response(201, schemas.ReviewSchema)
def post_review(data, contract_id):
    """Review the other party of a completed contract, once."""
    return service.post_review(current_user, contract_id, data)


@reviews_blp.get("/users/<id:user_id>/reviews", tags=["contracts"])
@reviews_blp.arguments(PageArgsSchema, location="query")
@reviews_blp.response(200, page_schema(schemas.ProfileReviewSchema))
def list_user_reviews(args, user_id):
    """Reviews of a user, newest first (only contracts on which money was released count)."""
    return service.list_reviews(user_id, **args)
