"""Marshmallow fields shared by the features' schemas."""

import pycountry
from marshmallow import ValidationError, fields, validate

from marketplace.money import currency_refusal

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


class CurrencyCode(fields.String):
    """An ISO 4217 currency the marketplace offers, in any case in, upper case out.

    Not-money codes (XXX, XTS, XAU...), fund codes and currencies with more than two
    decimals are refused (see money.currency_refusal).
    """

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
