from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BidMilestoneInput")


@_attrs_define
class BidMilestoneInput:
    """
    Attributes:
        title (str):
        amount (int | Unset): A milestone is priced either at a fixed `amount`, or per record: `unit_price` (paid for
            each record the client accepts) and `max_records` (at most `MAX_RECORDS_PER_DELIVERY`; only on a job with a
            record schema), whose product is its `amount`. Both may be sent only when `amount` equals `unit_price` times
            `max_records`. Money: an integer in minor units of its `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        unit_price (int | None | Unset): Paid per accepted record; null for a fixed price. Money: an integer in minor
            units of its `currency` (12500 with USD is 125.00 US dollars), never a float.
        max_records (int | None | Unset): The records the amount pays for; null for a fixed price.
    """

    title: str
    amount: int | Unset = UNSET
    unit_price: int | None | Unset = UNSET
    max_records: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        amount = self.amount

        unit_price: int | None | Unset
        if isinstance(self.unit_price, Unset):
            unit_price = UNSET
        else:
            unit_price = self.unit_price

        max_records: int | None | Unset
        if isinstance(self.max_records, Unset):
            max_records = UNSET
        else:
            max_records = self.max_records

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
            }
        )
        if amount is not UNSET:
            field_dict["amount"] = amount
        if unit_price is not UNSET:
            field_dict["unit_price"] = unit_price
        if max_records is not UNSET:
            field_dict["max_records"] = max_records

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        amount = d.pop("amount", UNSET)

        def _parse_unit_price(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        unit_price = _parse_unit_price(d.pop("unit_price", UNSET))

        def _parse_max_records(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_records = _parse_max_records(d.pop("max_records", UNSET))

        bid_milestone_input = cls(
            title=title,
            amount=amount,
            unit_price=unit_price,
            max_records=max_records,
        )

        return bid_milestone_input
