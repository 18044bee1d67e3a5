from typing import Literal

ReconciliationDifferenceWhat = Literal["chargeback", "funding", "payout", "provider_fee", "refund"]

RECONCILIATION_DIFFERENCE_WHAT_VALUES: set[ReconciliationDifferenceWhat] = {
    "chargeback",
    "funding",
    "payout",
    "provider_fee",
    "refund",
}


def check_reconciliation_difference_what(value: str) -> ReconciliationDifferenceWhat:
    if value in RECONCILIATION_DIFFERENCE_WHAT_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {RECONCILIATION_DIFFERENCE_WHAT_VALUES!r}")
