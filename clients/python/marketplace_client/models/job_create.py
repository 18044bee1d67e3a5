from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="JobCreate")


@_attrs_define
class JobCreate:
    """
    Attributes:
        title (str):
        description (str):
        budget (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
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
        skills (list[str] | Unset):
        deadline (datetime.date | None | Unset): Not in the past (a date still current somewhere on earth).
    """

    title: str
    description: str
    budget: int
    currency: str
    skills: list[str] | Unset = UNSET
    deadline: datetime.date | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        description = self.description

        budget = self.budget

        currency = self.currency

        skills: list[str] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = self.skills

        deadline: None | str | Unset
        if isinstance(self.deadline, Unset):
            deadline = UNSET
        elif isinstance(self.deadline, datetime.date):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "description": description,
                "budget": budget,
                "currency": currency,
            }
        )
        if skills is not UNSET:
            field_dict["skills"] = skills
        if deadline is not UNSET:
            field_dict["deadline"] = deadline

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title")

        description = d.pop("description")

        budget = d.pop("budget")

        currency = d.pop("currency")

        skills = cast(list[str], d.pop("skills", UNSET))

        def _parse_deadline(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_type_0 = datetime.date.fromisoformat(data)

                return deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        deadline = _parse_deadline(d.pop("deadline", UNSET))

        job_create = cls(
            title=title,
            description=description,
            budget=budget,
            currency=currency,
            skills=skills,
            deadline=deadline,
        )

        return job_create
