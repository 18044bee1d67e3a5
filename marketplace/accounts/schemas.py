"""The JSON shapes of accounts, sessions and tokens."""

from marshmallow import Schema, fields, validate

from marketplace.accounts.models import Role
from marketplace.fields import CountryCode, Trimmed

PASSWORD_MIN, PASSWORD_MAX = 10, 1024

Skills = fields.List(
    Trimmed(validate=validate.Length(min=1, max=50)), validate=validate.Length(max=30)
)


class RegisterSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(
        required=True, validate=validate.Length(min=PASSWORD_MIN, max=PASSWORD_MAX)
    )
    role = fields.String(
        required=True, validate=validate.OneOf([Role.CLIENT.value, Role.FREELANCER.value])
    )
    name = Trimmed(required=True, validate=validate.Length(min=1, max=120))
    country = CountryCode(required=True)


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=PASSWORD_MAX))


class TokenCreateSchema(LoginSchema):
    name = Trimmed(required=True, validate=validate.Length(min=1, max=100))


class UserSchema(Schema):
    """The caller's own account."""

    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    name = fields.String()
    country = fields.String()
    skills = fields.List(fields.String())
    bio = fields.String()
    status = fields.String()
    payouts_enabled = fields.Boolean()
    created_at = fields.DateTime()


class ProfileUpdateSchema(Schema):
    name = Trimmed(validate=validate.Length(min=1, max=120))
    country = CountryCode()
    skills = Skills
    bio = fields.String(validate=validate.Length(max=5000))


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
    rating = fields.Nested(RatingSchema)
    completed_contracts = fields.Integer()
    created_at = fields.DateTime()


class UserRefSchema(Schema):
    """A user as named inside another resource."""

    id = fields.Integer()
    name = fields.String()
    country = fields.String()


class LoginResultSchema(Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String()


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()


class TokenCreatedSchema(TokenSchema):
    token = fields.String(metadata={"description": "Shown once; only its hash is stored."})
