from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="BidMilestone")


@_attrs_define
class BidMilestone:
    """
    Attributes:
        title (str):
        amount (int): Money: an integer in minor units of the bid's `currency` (12500 with USD is 125.00 US dollars),
            never a float.
    """

    title: str
    amount: int

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        amount = self.amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        amount = d.pop("amount")

        bid_milestone = cls(
            title=title,
            amount=amount,
        )

        return bid_milestone
