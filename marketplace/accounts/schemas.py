"""The JSON shapes of accounts, sessions and tokens."""

from marshmallow import Schema, fields, validate

from marketplace.accounts.eligibility import payout_eligible
from marketplace.accounts.models import Role
from marketplace.fields import CountryCode, Flag, Trimmed

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


PAYOUT_ELIGIBLE = {
    "type": "boolean",
    "description": "Whether the payment gateway can pay this freelancer out where they live; "
    "null for clients and admins.",
}


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
    payout_eligible = fields.Function(payout_eligible, allow_none=True, metadata=PAYOUT_ELIGIBLE)
    email_notifications = fields.Boolean(
        metadata={"description": "Whether the user gets emails about their work."}
    )
    two_factor = fields.Boolean(metadata={"description": "Whether two-factor sign-in is on."})
    created_at = fields.DateTime()


class ProfileUpdateSchema(Schema):
    name = Trimmed(validate=validate.Length(min=1, max=120))
    country = CountryCode()
    skills = Skills
    bio = fields.String(validate=validate.Length(max=5000))
    email_notifications = Flag()


class UserRefSchema(Schema):
    """A user as named inside another resource."""

    id = fields.Integer()
    name = fields.String()
    country = fields.String()


class LoginResultSchema(Schema):
    user = fields.Nested(UserSchema)
    csrf_token = fields.String()


class CsrfTokenSchema(Schema):
    csrf_token = fields.String(
        metadata={"description": "Send it back in X-CSRF-Token on every cookie request but GET."}
    )


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()


class TokenCreatedSchema(TokenSchema):
    token = fields.String(metadata={"description": "Shown once; only its hash is stored."})
