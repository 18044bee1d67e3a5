"""Where freelancers can be paid out: the default of `PAYOUT_COUNTRIES` per platform country.

The lists are Stripe's, transcribed by hand (check them against the pages when Stripe
changes them; an operator whose platform Stripe enabled differently sets
PAYOUT_COUNTRIES instead):

- Platforms in the US, the UK, the EEA, Canada or Switzerland pay out to connected
  accounts in any of those regions: the "Availability" of
  https://docs.stripe.com/connect/cross-border-payouts, which adds that Stripe does not
  support self-serve cross-border payouts outside them (Global Payouts, or what Stripe
  enables on request, instead). A platform elsewhere pays out in its own country only.
- Stripe once listed many more countries for US platforms (accounts under the
  `recipient` service agreement): FROM_US keeps that list, with each country's payout
  currency, for an operator whose platform Stripe enabled for them to name in
  PAYOUT_COUNTRIES. It is not the default: telling a freelancer they can be paid, and
  failing at payout after the work, is worse than asking the operator to widen the list.

The local gateway pays everywhere: its default is None (no limit).
"""

import pycountry

# Stripe's regions for self-serve cross-border payouts between them.
EEA = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IS",
        "IE",
        "IT",
        "LV",
        "LI",
        "LT",
        "LU",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
REGIONS = EEA | {"US", "GB", "CA", "CH"}

# Each country's payout currencies (upper case), for the regions above and for US
# platforms' cross-border list.
CURRENCIES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU",
         "LV", "MC", "MT", "NL", "PT", "SI", "SK", "SM"),
        ("EUR",),
    ),
    "AE": ("AED",), "AG": ("XCD",), "AL": ("ALL",), "AM": ("AMD",), "AO": ("AOA",),
    "AR": ("ARS",), "AU": ("AUD",), "AZ": ("AZN",), "BA": ("BAM",), "BD": ("BDT",),
    "BG": ("BGN",), "BH": ("BHD",), "BJ": ("XOF",), "BN": ("BND",), "BO": ("BOB",),
    "BS": ("BSD",), "BT": ("BTN",), "BW": ("BWP",), "CA": ("CAD",), "CH": ("CHF",),
    "CI": ("XOF",), "CL": ("CLP",), "CO": ("COP",), "CR": ("CRC",), "CZ": ("CZK",),
    "DK": ("DKK",), "DO": ("DOP",), "DZ": ("DZD",), "EC": ("USD",), "EG": ("EGP",),
    "ET": ("ETB",), "GA": ("XAF",), "GB": ("GBP",), "GH": ("GHS",), "GM": ("GMD",),
    "GT": ("GTQ",), "GY": ("GYD",), "HK": ("HKD",), "HU": ("HUF",), "ID": ("IDR",),
    "IL": ("ILS",), "IN": ("INR",), "IS": ("ISK",), "JM": ("JMD",), "JO": ("JOD",),
    "JP": ("JPY",), "KE": ("KES",), "KH": ("KHR",), "KR": ("KRW",), "KW": ("KWD",),
    "KZ": ("KZT",), "LA": ("LAK",), "LC": ("XCD",), "LI": ("CHF",), "LK": ("LKR",),
    "MA": ("MAD",), "MD": ("MDL",), "MG": ("MGA",), "MK": ("MKD",), "MN": ("MNT",),
    "MO": ("MOP",), "MU": ("MUR",), "MX": ("MXN",), "MY": ("MYR",), "MZ": ("MZN",),
    "NA": ("NAD",), "NE": ("XOF",), "NG": ("NGN",), "NO": ("NOK",), "NZ": ("NZD",),
    "OM": ("OMR",), "PA": ("USD",), "PE": ("PEN",), "PH": ("PHP",), "PK": ("PKR",),
    "PL": ("PLN",), "PY": ("PYG",), "QA": ("QAR",), "RO": ("RON",), "RS": ("RSD",),
    "RW": ("RWF",), "SA": ("SAR",), "SE": ("SEK",), "SG": ("SGD",), "SN": ("XOF",),
    "SV": ("USD",), "TH": ("THB",), "TN": ("TND",), "TR": ("TRY",), "TT": ("TTD",),
    "TW": ("TWD",), "TZ": ("TZS",), "US": ("USD",), "UY": ("UYU",), "UZ": ("UZS",),
    "VN": ("VND",), "ZA": ("ZAR",),
}  # fmt: skip

# Stripe's former list of cross-border payouts from a US platform (see above): for
# PAYOUT_COUNTRIES, not a default.
FROM_US = frozenset(
    {
        "AL", "DZ", "AO", "AG", "AR", "AM", "AU", "AT", "AZ", "BS", "BH", "BD", "BE", "BJ",
        "BT", "BO", "BA", "BW", "BN", "BG", "KH", "CA", "CL", "CO", "CR", "CI", "HR", "CY",
        "CZ", "DK", "DO", "EC", "EG", "SV", "EE", "ET", "FI", "FR", "GA", "GM", "DE", "GH",
        "GR", "GT", "GY", "HK", "HU", "IS", "IN", "ID", "IE", "IL", "IT", "JM", "JP", "JO",
        "KZ", "KE", "KW", "LA", "LV", "LI", "LT", "LU", "MO", "MG", "MY", "MT", "MU", "MX",
        "MD", "MC", "MN", "MA", "MZ", "NA", "NL", "NZ", "NE", "NG", "MK", "NO", "OM", "PK",
        "PA", "PY", "PE", "PH", "PL", "PT", "QA", "RO", "RW", "LC", "SM", "SA", "SN", "RS",
        "SG", "SK", "SI", "ZA", "KR", "ES", "LK", "SE", "CH", "TW", "TZ", "TH", "TT", "TN",
        "TR", "AE", "GB", "UY", "UZ", "VN", "US",
    }
)  # fmt: skip


def stripe_default(platform_country: str) -> frozenset[str]:
    """The countries Stripe lists for payouts from a platform in `platform_country`."""
    if platform_country in REGIONS:
        return frozenset(REGIONS)
    return frozenset({platform_country})


def parse(raw: str | None) -> frozenset[str] | None:
    """PAYOUT_COUNTRIES as set: comma-separated ISO 3166-1 alpha-2 codes (None: unset).

    Raises ValueError on a code that is not two letters."""
    if raw is None or not raw.strip():
        return None
    codes = {item.strip().upper() for item in raw.split(",") if item.strip()}
    bad = sorted(code for code in codes if len(code) != 2 or not code.isalpha())
    if bad:
        raise ValueError(", ".join(bad))
    return frozenset(codes)


def payout_countries(config) -> frozenset[str] | None:
    """Where the configured gateway pays out (None: everywhere).

    PAYOUT_COUNTRIES when set; otherwise Stripe's list for PLATFORM_COUNTRY with the
    Stripe gateway, and no limit with the local one."""
    configured = config.get("PAYOUT_COUNTRIES")
    if configured is not None:
        return frozenset(configured)
    if config.get("PAYMENT_GATEWAY") == "stripe":
        return stripe_default(config["PLATFORM_COUNTRY"])
    return None


def currencies(country: str) -> tuple[str, ...]:
    """The currencies a payout account in `country` is paid out in (empty: not known)."""
    return CURRENCIES.get(country, ())


def listing(config) -> dict:
    """GET /payout-countries: where the configured gateway pays out, with currencies."""
    countries = payout_countries(config)
    if countries is None:  # the gateway pays everywhere
        countries = frozenset(country.alpha_2 for country in pycountry.countries)
    return {
        "platform_country": config["PLATFORM_COUNTRY"],
        "countries": [
            {"country": code, "currencies": list(currencies(code))} for code in sorted(countries)
        ],
    }
