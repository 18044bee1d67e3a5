"""Marshmallow fields shared by the features' schemas."""

import pycountry
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from marketplace.money import STRIPE_SETTLEMENT_CURRENCIES, currency_refusal

COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)


class Trimmed(fields.String):
    """A string with surrounding whitespace removed; blank is refused when required."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text and self.required:
            raise ValidationError("Must not be blank.")
        return text


class Flag(fields.Boolean):
    """A JSON true or false: not 1, "yes" or "true", which a typo or a bad client sends."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Not a boolean (true or false).")
        return value


class CountryCode(fields.String):
    """ISO 3166-1 alpha-2, accepted in any case, always upper case out."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if code not in COUNTRY_CODES:
            raise ValidationError("Not an ISO 3166-1 alpha-2 country code.")
        return code


CURRENCY_POLICY = (
    "An ISO 4217 code, any case in, upper case out. Which currencies are taken depends on "
    "the payment gateway. `local`: every currency with at most two decimals. `stripe`: "
    "only those the platform settles in at Stripe (`STRIPE_CURRENCIES`, by default the "
    "currency of `PLATFORM_COUNTRY`: USD for US), because a transfer to the freelancer "
    "from the funding charge must be in the charge's settlement currency; at most: "
    + ", ".join(sorted(STRIPE_SETTLEMENT_CURRENCIES))
    + ". Refused everywhere: three-decimal currencies (KWD, BHD, JOD, OMR, TND...), "
    "not-money codes (XXX, XTS, XAU...) and fund codes. Any other currency is a 422 on "
    "`currency`. Amounts that become charges (a bid's amount or each of its milestones, "
    "a milestone's amount) must be at least Stripe's minimum charge for the currency "
    "(0.50 USD, 0.50 EUR, 0.30 GBP, 50 JPY...), with either gateway."
)


class CurrencyCode(fields.String):
    """An ISO 4217 currency the marketplace offers, in any case in, upper case out.

    Not-money codes (XXX, XTS, XAU...), fund codes and currencies with more than two
    decimals are refused (see money.currency_refusal); the services refuse those the
    configured gateway does not take (money.payable_errors).
    """

    def __init__(self, **kwargs):
        metadata = {"description": CURRENCY_POLICY, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        refusal = currency_refusal(code)
        if refusal:
            raise ValidationError(refusal)
        return code


# Amounts are integers in minor units; a trillion is far past any data-entry job.
MAX_AMOUNT = 10**12
# Ids are the database's 32-bit integers.
MAX_ID = 2**31 - 1


def Amount(**kwargs) -> fields.Integer:
    """A money amount: a positive integer in minor units, never a float."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_AMOUNT), **kwargs)


def Skill() -> Trimmed:
    """A skill name, compared case-insensitively (stored lower case)."""
    return Lowered(validate=validate.Length(min=1, max=50))


class Lowered(Trimmed):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


class Upload(fields.Field):
    """A file part of a multipart body (werkzeug's FileStorage), not a plain form field."""

    def __init__(self, **kwargs):
        metadata = {"type": "string", "format": "binary", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("Must be a file (a part with a filename).")
        return value


class FormFlag(fields.Boolean):
    """A multipart form field saying `true` or `false` (in any case: some clients write a
    boolean as `True`), and nothing else."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = value.lower() if isinstance(value, str) else value
        if text == "true":
            return True
        if text == "false":
            return False
        raise ValidationError("Must be true or false.")
