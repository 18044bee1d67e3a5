"""The JSON shapes of public profiles and reviews."""

from marshmallow import Schema, fields, validate

from marketplace.accounts.schemas import PAYOUT_ELIGIBLE
from marketplace.contracts.schemas import AuthorSchema


class RatingSchema(Schema):
    average = fields.Float(allow_none=True)
    count = fields.Integer()


class PublicUserSchema(Schema):
    """Another user's profile, as any signed-in user sees it: no email."""

    id = fields.Integer()
    role = fields.String()
    name = fields.String()
    country = fields.String()
    skills = fields.List(fields.String())
    bio = fields.String()
    rating = fields.Nested(
        RatingSchema,
        metadata={"description": "From reviews of contracts on which money was released."},
    )
    completed_contracts = fields.Integer(
        metadata={"description": "Completed contracts on which money was released."}
    )
    payout_eligible = fields.Boolean(allow_none=True, metadata=PAYOUT_ELIGIBLE)
    created_at = fields.DateTime()


class ReviewCreateSchema(Schema):
    rating = fields.Integer(strict=True, required=True, validate=validate.Range(1, 5))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class ProfileReviewSchema(Schema):
    """A review as listed on the profile of the user it is about."""

    id = fields.Integer()
    rating = fields.Integer()
    comment = fields.String()
    author = fields.Nested(AuthorSchema)
    contract_id = fields.Integer()
    created_at = fields.DateTime()


class ReviewSchema(Schema):
    id = fields.Integer()
    contract_id = fields.Integer()
    author_id = fields.Integer()
    subject_id = fields.Integer()
    rating = fields.Integer()
    comment = fields.String()
    created_at = fields.DateTime()
