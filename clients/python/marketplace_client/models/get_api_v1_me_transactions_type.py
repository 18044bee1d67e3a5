from typing import Literal

GetApiV1MeTransactionsType = Literal["fee", "funding", "payout", "refund", "release"]

GET_API_V1_ME_TRANSACTIONS_TYPE_VALUES: set[GetApiV1MeTransactionsType] = {
    "fee",
    "funding",
    "payout",
    "refund",
    "release",
}


def check_get_api_v1_me_transactions_type(value: str) -> GetApiV1MeTransactionsType:
    if value in GET_API_V1_ME_TRANSACTIONS_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_ME_TRANSACTIONS_TYPE_VALUES!r}")
