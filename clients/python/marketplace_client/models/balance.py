from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Balance")


@_attrs_define
class Balance:
    """
    Attributes:
        currency (str | Unset):
        in_escrow (int | Unset):
        pending_payout (int | Unset):
        paid_out (int | Unset):
        refunded (int | Unset):
        fees (int | Unset):
    """

    currency: str | Unset = UNSET
    in_escrow: int | Unset = UNSET
    pending_payout: int | Unset = UNSET
    paid_out: int | Unset = UNSET
    refunded: int | Unset = UNSET
    fees: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        in_escrow = self.in_escrow

        pending_payout = self.pending_payout

        paid_out = self.paid_out

        refunded = self.refunded

        fees = self.fees

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if currency is not UNSET:
            field_dict["currency"] = currency
        if in_escrow is not UNSET:
            field_dict["in_escrow"] = in_escrow
        if pending_payout is not UNSET:
            field_dict["pending_payout"] = pending_payout
        if paid_out is not UNSET:
            field_dict["paid_out"] = paid_out
        if refunded is not UNSET:
            field_dict["refunded"] = refunded
        if fees is not UNSET:
            field_dict["fees"] = fees

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = d.pop("currency", UNSET)

        in_escrow = d.pop("in_escrow", UNSET)

        pending_payout = d.pop("pending_payout", UNSET)

        paid_out = d.pop("paid_out", UNSET)

        refunded = d.pop("refunded", UNSET)

        fees = d.pop("fees", UNSET)

        balance = cls(
            currency=currency,
            in_escrow=in_escrow,
            pending_payout=pending_payout,
            paid_out=paid_out,
            refunded=refunded,
            fees=fees,
        )

        return balance
