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


def user_json(user) -> dict:
    """The caller's account as UserSchema dumps it, without marshmallow (GET /me).

    Read on most page loads of a client app, and marshmallow dumping its dozen fields
    cost as much as loading the user. tests/api/test_profiles.py checks it is the JSON
    UserSchema gives (PATCH /me answers with that).
    """
    skills = user.skills
    return {
        "id": user.id,
        "email": _text(user.email),
        "role": _text(user.role),
        "name": _text(user.name),
        "country": _text(user.country),
        "skills": None if skills is None else [str(skill) for skill in skills],
        "bio": _text(user.bio),
        "status": _text(user.status),
        "payouts_enabled": _flag(user.payouts_enabled),
        "payout_eligible": payout_eligible(user),
        "email_notifications": _flag(user.email_notifications),
        "two_factor": _flag(user.two_factor),
        "created_at": None if user.created_at is None else user.created_at.isoformat(),
    }


def _text(value) -> str | None:
    return None if value is None else str(value)


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


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
