"""Money helpers: integer minor units per currency, and the platform fee's one rounding rule."""

BPS_DENOMINATOR = 10_000


def platform_fee(amount: int, fee_bps: int) -> int:
    """The fee on `amount` minor units: amount x fee_bps / 10000, rounded half up.

    Integers only, so no float ever touches money: 12345 at 1000 bps is 1234.5, so 1235.
    """
    if amount < 0 or not 0 <= fee_bps <= BPS_DENOMINATOR:
        raise ValueError("fees are taken on non-negative amounts at 0 to 10000 bps")
    return (amount * fee_bps + BPS_DENOMINATOR // 2) // BPS_DENOMINATOR
