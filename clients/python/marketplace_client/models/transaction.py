from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.transaction_type import TransactionType, check_transaction_type

T = TypeVar("T", bound="Transaction")


@_attrs_define
class Transaction:
    """
    Attributes:
        id (int):
        type_ (TransactionType):
        amount (int): Signed, as booked on the caller's own account. Money: an integer in minor units of `currency`
            (12500 with USD is 125.00 US dollars), never a float.
        currency (str):
        milestone_id (int | None):
        created_at (datetime.datetime):
    """

    id: int
    type_: TransactionType
    amount: int
    currency: str
    milestone_id: int | None
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_: str = self.type_

        amount = self.amount

        currency = self.currency

        milestone_id: int | None
        milestone_id = self.milestone_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "type": type_,
                "amount": amount,
                "currency": currency,
                "milestone_id": milestone_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        type_ = check_transaction_type(d.pop("type"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        def _parse_milestone_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        milestone_id = _parse_milestone_id(d.pop("milestone_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        transaction = cls(
            id=id,
            type_=type_,
            amount=amount,
            currency=currency,
            milestone_id=milestone_id,
            created_at=created_at,
        )

        return transaction
