"""Money helpers: integer minor units per currency, and the platform fee's one rounding rule."""

from decimal import Decimal

import pycountry

BPS_DENOMINATOR = 10_000

ISO_4217_CODES = frozenset(c.alpha_3 for c in pycountry.currencies)

# Minor units per ISO 4217 (table A.1): two decimals unless listed here. pycountry knows
# the codes but not their minor units, so the exceptions are kept by hand.
MINOR_UNITS_EXCEPTIONS = {
    # No minor unit: amounts are whole units (12500 JPY is 12,500 yen).
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    # Three decimals (1.000 KWD is 1000 fils).
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    # Four decimals: Chilean and Uruguayan units of account.
    "CLF": 4,
    "UYW": 4,
}

# Codes ISO 4217 lists with no minor unit because they are not money anyone is paid in:
# precious metals, bond-market and other units of account, special drawing rights,
# the testing code and "no currency". (XAF, XOF, XPF and XCD, XCG are real money.)
NOT_MONEY = frozenset(
    {
        "XAD",  # Arab Accounting Dinar (a unit of account)
        "XAG",  # silver
        "XAU",  # gold
        "XBA",  # European Composite Unit
        "XBB",  # European Monetary Unit
        "XBC",  # European Unit of Account 9
        "XBD",  # European Unit of Account 17
        "XDR",  # IMF special drawing right
        "XPD",  # palladium
        "XPT",  # platinum
        "XSU",  # SUCRE (a unit of account)
        "XTS",  # reserved for testing
        "XUA",  # African Development Bank unit of account
        "XXX",  # no currency
    }
)

# ISO 4217 "fund codes": indexed units and same-day/next-day variants listed beside the
# currencies, which nobody pays a freelancer in.
FUND_CODES = frozenset({"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"})

# Fees and pro-rata splits are rounded to the minor unit; payment providers want the
# amounts of three- and four-decimal currencies to end in 0, which that cannot promise.
MAX_OFFERED_MINOR_UNITS = 2


def minor_units(code: str) -> int:
    """How many decimals the currency's minor unit has (JPY 0, USD 2, KWD 3), per ISO 4217."""
    if code not in ISO_4217_CODES:
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    if code in NOT_MONEY:
        raise ValueError(f"{code} is not money, so it has no minor unit")
    return MINOR_UNITS_EXCEPTIONS.get(code, 2)


def currency_refusal(code: str) -> str | None:
    """Why the marketplace does not take this (upper-case) code as a currency, or None."""
    if code not in ISO_4217_CODES:
        return "Not an ISO 4217 currency code."
    if code in NOT_MONEY:
        return f"{code} is not money (an ISO 4217 code for a metal, a unit of account or tests)."
    if code in FUND_CODES:
        return f"{code} is an ISO 4217 fund code, not a currency work is paid in."
    if minor_units(code) > MAX_OFFERED_MINOR_UNITS:
        return (
            f"{code} has {minor_units(code)} decimal places; only currencies with at most "
            f"{MAX_OFFERED_MINOR_UNITS} are offered."
        )
    return None


OFFERED_CURRENCIES = frozenset(c for c in ISO_4217_CODES if currency_refusal(c) is None)

# -- the currencies each payment gateway takes ------------------------------------------
#
# Stripe moves a freelancer's share with a Transfer whose `source_transaction` is the
# funding charge, and such a transfer must be in that charge's settlement currency (the
# currency of its balance transaction). A charge in any other currency is converted on
# arrival, so its amount in the milestone's currency no longer exists at Stripe and
# neither the transfer nor the fee arithmetic could be exact. The platform therefore
# takes, with Stripe, only the currencies it settles in: `STRIPE_CURRENCIES`, by default
# the currency of `PLATFORM_COUNTRY`. The local gateway settles every offered currency.

# Stripe's minimum charge per settlement currency, in minor units (docs.stripe.com/currencies).
# A currency not listed here is not one a Stripe platform settles in.
MINIMUM_CHARGE = {
    "USD": 50, "AUD": 50, "BRL": 50, "CAD": 50, "CHF": 50, "EUR": 50, "INR": 50, "NZD": 50,
    "SGD": 50, "GBP": 30, "AED": 200, "BGN": 100, "CZK": 1500, "DKK": 250, "HKD": 400,
    "HUF": 17500, "JPY": 50, "MXN": 1000, "MYR": 200, "NOK": 300, "PLN": 200, "RON": 200,
    "SEK": 300, "THB": 1000,
}  # fmt: skip

# The currencies a Stripe platform may settle in. Each has the same minor unit in
# Stripe's API as in ISO 4217 (Stripe's ISK, UGX and MGA do not, and are not here).
STRIPE_SETTLEMENT_CURRENCIES = frozenset(MINIMUM_CHARGE)

EURO_COUNTRIES = frozenset(
    {
        "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT", "SI", "SK",
    }
)  # fmt: skip
# The currency a Stripe platform of each country settles in by default.
COUNTRY_SETTLEMENT_CURRENCY = {
    "US": "USD", "GB": "GBP", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "SG": "SGD",
    "HK": "HKD", "JP": "JPY", "CH": "CHF", "NO": "NOK", "SE": "SEK", "DK": "DKK",
    "PL": "PLN", "CZ": "CZK", "HU": "HUF", "RO": "RON", "BG": "BGN", "MX": "MXN",
    "BR": "BRL", "IN": "INR", "MY": "MYR", "TH": "THB", "AE": "AED",
    **dict.fromkeys(EURO_COUNTRIES, "EUR"),
}  # fmt: skip


def accepted_currencies(config) -> frozenset[str]:
    """The currencies jobs, bids and milestones may use with the configured gateway."""
    if config["PAYMENT_GATEWAY"] == "stripe":
        return frozenset(config["STRIPE_CURRENCIES"])
    return OFFERED_CURRENCIES


def minimum_charge(currency: str) -> int:
    """The smallest amount (minor units) that may be charged: Stripe's minimum for its
    settlement currencies, one minor unit for the others (only the local gateway takes them)."""
    return MINIMUM_CHARGE.get(currency, 1)


def not_accepted(currency: str, accepted: frozenset[str], gateway: str) -> str | None:
    """Why an offered currency cannot be used with this gateway, or None."""
    if currency in accepted:
        return None
    return (
        f"The platform does not take {currency} with its payment provider ({gateway}); "
        f"it takes {', '.join(sorted(accepted))}."
    )


def under_minimum(amount: int, currency: str) -> str | None:
    """Why an amount is too small to be charged, or None."""
    minimum = minimum_charge(currency)
    if amount >= minimum:
        return None
    return f"Must be at least {format_amount(minimum, currency)}, the smallest charge possible."


def format_amount(amount: int, currency: str) -> str:
    """An amount in minor units as people read it: 12500 USD is "125.00 USD", JPY "12,500 JPY"."""
    try:
        decimals = minor_units(currency)
    except ValueError:  # a code stored before it was refused (XTS, say): say it as it is
        return f"{amount} {currency}"
    return f"{Decimal(amount).scaleb(-decimals):,f} {currency}"


def platform_fee(amount: int, fee_bps: int) -> int:
    """The fee on `amount` minor units: amount x fee_bps / 10000, rounded half up.

    Integers only, so no float ever touches money: 12345 at 1000 bps is 1234.5, so 1235.
    """
    if amount < 0 or not 0 <= fee_bps <= BPS_DENOMINATOR:
        raise ValueError("fees are taken on non-negative amounts at 0 to 10000 bps")
    return (amount * fee_bps + BPS_DENOMINATOR // 2) // BPS_DENOMINATOR


def payable_errors(config, currency: str, amounts: dict[str, int]) -> dict[str, list[str]]:
    """Field errors for money the configured gateway could not charge: a currency it does
    not take (under `currency`), amounts under the minimum charge (under their field)."""
    refusal = not_accepted(currency, accepted_currencies(config), config["PAYMENT_GATEWAY"])
    if refusal:
        return {"currency": [refusal]}
    refusals = {field: under_minimum(a, currency) for field, a in amounts.items()}
    return {field: [refusal] for field, refusal in refusals.items() if refusal}


def pro_rata(amount: int, part: int, whole: int) -> int:
    """`part` of `whole` of `amount` minor units, rounded half up (integers only):
    1001 for 1 of 2 is 500.5, so 501."""
    if amount < 0 or whole <= 0 or not 0 <= part <= whole:
        raise ValueError("a share is a part of a positive whole, of a non-negative amount")
    return (2 * amount * part + whole) // (2 * whole)
