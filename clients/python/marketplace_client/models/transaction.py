from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.transaction_type import TransactionType, check_transaction_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="Transaction")


@_attrs_define
class Transaction:
    """
    Attributes:
        id (int | Unset):
        type_ (TransactionType | Unset):
        amount (int | Unset): Signed, as booked on the caller's own account.
        currency (str | Unset):
        milestone_id (int | None | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    type_: TransactionType | Unset = UNSET
    amount: int | Unset = UNSET
    currency: str | Unset = UNSET
    milestone_id: int | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_

        amount = self.amount

        currency = self.currency

        milestone_id: int | None | Unset
        if isinstance(self.milestone_id, Unset):
            milestone_id = UNSET
        else:
            milestone_id = self.milestone_id

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if type_ is not UNSET:
            field_dict["type"] = type_
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if milestone_id is not UNSET:
            field_dict["milestone_id"] = milestone_id
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: TransactionType | Unset
        if isinstance(_type_, Unset):
            type_ = UNSET
        else:
            type_ = check_transaction_type(_type_)

        amount = d.pop("amount", UNSET)

        currency = d.pop("currency", UNSET)

        def _parse_milestone_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        milestone_id = _parse_milestone_id(d.pop("milestone_id", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        transaction = cls(
            id=id,
            type_=type_,
            amount=amount,
            currency=currency,
            milestone_id=milestone_id,
            created_at=created_at,
        )

        return transaction
