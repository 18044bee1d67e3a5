from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Balance")


@_attrs_define
class Balance:
    """
    Attributes:
        currency (str):
        in_escrow (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        pending_payout (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars),
            never a float.
        paid_out (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        refunded (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        fees (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a float.
    """

    currency: str
    in_escrow: int
    pending_payout: int
    paid_out: int
    refunded: int
    fees: int

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        in_escrow = self.in_escrow

        pending_payout = self.pending_payout

        paid_out = self.paid_out

        refunded = self.refunded

        fees = self.fees

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "currency": currency,
                "in_escrow": in_escrow,
                "pending_payout": pending_payout,
                "paid_out": paid_out,
                "refunded": refunded,
                "fees": fees,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency")

        in_escrow = d.pop("in_escrow")

        pending_payout = d.pop("pending_payout")

        paid_out = d.pop("paid_out")

        refunded = d.pop("refunded")

        fees = d.pop("fees")

        balance = cls(
            currency=currency,
            in_escrow=in_escrow,
            pending_payout=pending_payout,
            paid_out=paid_out,
            refunded=refunded,
            fees=fees,
        )

        return balance
