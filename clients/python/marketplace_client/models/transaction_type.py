from typing import Literal

TransactionType = Literal["chargeback", "chargeback_reversal", "fee", "funding", "payout", "refund", "release"]

TRANSACTION_TYPE_VALUES: set[TransactionType] = {
    "chargeback",
    "chargeback_reversal",
    "fee",
    "funding",
    "payout",
    "refund",
    "release",
}


def check_transaction_type(value: str) -> TransactionType:
    if value in TRANSACTION_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRANSACTION_TYPE_VALUES!r}")
