from typing import Literal

ListTransactionsType = Literal["chargeback", "chargeback_reversal", "fee", "funding", "payout", "refund", "release"]

LIST_TRANSACTIONS_TYPE_VALUES: set[ListTransactionsType] = {
    "chargeback",
    "chargeback_reversal",
    "fee",
    "funding",
    "payout",
    "refund",
    "release",
}


def check_list_transactions_type(value: str) -> ListTransactionsType:
    if value in LIST_TRANSACTIONS_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_TRANSACTIONS_TYPE_VALUES!r}")
