from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PlatformLoss")


@_attrs_define
class PlatformLoss:
    """
    Attributes:
        currency (str):
        amount (int): Minor units. Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars),
            never a float.
    """

    currency: str
    amount: int

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        amount = self.amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "currency": currency,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        amount = d.pop("amount")

        platform_loss = cls(
            currency=currency,
            amount=amount,
        )

        return platform_loss
