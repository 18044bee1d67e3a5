from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="BidMilestone")


@_attrs_define
class BidMilestone:
    """
    Attributes:
        title (str):
        amount (int): Money: an integer in minor units of the bid's `currency` (12500 with USD is 125.00 US dollars),
            never a float.
        unit_price (int | None): Paid per accepted record; null for a fixed price. Money: an integer in minor units of
            the bid's `currency` (12500 with USD is 125.00 US dollars), never a float.
        max_records (int | None): The records the amount pays for; null for a fixed price.
    """

    title: str
    amount: int
    unit_price: int | None
    max_records: int | None

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        amount = self.amount

        unit_price: int | None
        unit_price = self.unit_price

        max_records: int | None
        max_records = self.max_records

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "amount": amount,
                "unit_price": unit_price,
                "max_records": max_records,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        amount = d.pop("amount")

        def _parse_unit_price(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        unit_price = _parse_unit_price(d.pop("unit_price"))

        def _parse_max_records(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_records = _parse_max_records(d.pop("max_records"))

        bid_milestone = cls(
            title=title,
            amount=amount,
            unit_price=unit_price,
            max_records=max_records,
        )

        return bid_milestone
