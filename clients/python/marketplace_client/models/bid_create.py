from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bid_milestone_input import BidMilestoneInput


T = TypeVar("T", bound="BidCreate")


@_attrs_define
class BidCreate:
    """
    Attributes:
        amount (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        currency (str): An ISO 4217 code, any case in, upper case out. Which currencies are taken depends on the payment
            gateway. `local`: every currency with at most two decimals. `stripe`: only those the platform settles in at
            Stripe (`STRIPE_CURRENCIES`, by default the currency of `PLATFORM_COUNTRY`: USD for US), because a transfer to
            the freelancer from the funding charge must be in the charge's settlement currency; at most: AED, AUD, BGN, BRL,
            CAD, CHF, CZK, DKK, EUR, GBP, HKD, HUF, INR, JPY, MXN, MYR, NOK, NZD, PLN, RON, SEK, SGD, THB, USD. Refused
            everywhere: three-decimal currencies (KWD, BHD, JOD, OMR, TND...), not-money codes (XXX, XTS, XAU...) and fund
            codes. Any other currency is a 422 on `currency`. Amounts that become charges (a bid's amount or each of its
            milestones, a milestone's amount) must be at least Stripe's minimum charge for the currency (0.50 USD, 0.50 EUR,
            0.30 GBP, 50 JPY...), with either gateway.
        delivery_days (int):
        cover_letter (str):
        milestones (list[BidMilestoneInput] | Unset):
    """

    amount: int
    currency: str
    delivery_days: int
    cover_letter: str
    milestones: list[BidMilestoneInput] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        delivery_days = self.delivery_days

        cover_letter = self.cover_letter

        milestones: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.milestones, Unset):
            milestones = []
            for milestones_item_data in self.milestones:
                milestones_item = milestones_item_data.to_dict()
                milestones.append(milestones_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "delivery_days": delivery_days,
                "cover_letter": cover_letter,
            }
        )
        if milestones is not UNSET:
            field_dict["milestones"] = milestones

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bid_milestone_input import BidMilestoneInput  # noqa: PLC0415

        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        delivery_days = d.pop("delivery_days")

        cover_letter = d.pop("cover_letter")

        _milestones = d.pop("milestones", UNSET)
        milestones: list[BidMilestoneInput] | Unset = UNSET
        if _milestones is not UNSET:
            milestones = []
            for milestones_item_data in _milestones:
                milestones_item = BidMilestoneInput.from_dict(milestones_item_data)

                milestones.append(milestones_item)

        bid_create = cls(
            amount=amount,
            currency=currency,
            delivery_days=delivery_days,
            cover_letter=cover_letter,
            milestones=milestones,
        )

        return bid_create
