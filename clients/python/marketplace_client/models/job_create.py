from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.quality_input import QualityInput
    from ..models.record_schema_input import RecordSchemaInput


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
        schema (None | RecordSchemaInput | Unset): What each delivered record must look like: a Table Schema descriptor,
            restricted as the marketplace takes it; null for none (a note is the delivery). A bad one is a 422 whose
            `errors` name the place (`schema.fields.2.type`). It cannot change once anyone has bid on the job (409; sending
            the same schema again is not a change).
        quality (None | QualityInput | Unset): The job's quality bar, copied onto its contract; null for none.
    """

    title: str
    description: str
    budget: int
    currency: str
    skills: list[str] | Unset = UNSET
    deadline: datetime.date | None | Unset = UNSET
    schema: None | RecordSchemaInput | Unset = UNSET
    quality: None | QualityInput | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.quality_input import QualityInput  # noqa: PLC0415
        from ..models.record_schema_input import RecordSchemaInput  # noqa: PLC0415

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

        schema: dict[str, Any] | None | Unset
        if isinstance(self.schema, Unset):
            schema = UNSET
        elif isinstance(self.schema, RecordSchemaInput):
            schema = self.schema.to_dict()
        else:
            schema = self.schema

        quality: dict[str, Any] | None | Unset
        if isinstance(self.quality, Unset):
            quality = UNSET
        elif isinstance(self.quality, QualityInput):
            quality = self.quality.to_dict()
        else:
            quality = self.quality

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
        if schema is not UNSET:
            field_dict["schema"] = schema
        if quality is not UNSET:
            field_dict["quality"] = quality

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quality_input import QualityInput  # noqa: PLC0415
        from ..models.record_schema_input import RecordSchemaInput  # noqa: PLC0415

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

        def _parse_schema(data: object) -> None | RecordSchemaInput | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schema_type_0 = RecordSchemaInput.from_dict(data)

                return schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecordSchemaInput | Unset, data)

        schema = _parse_schema(d.pop("schema", UNSET))

        def _parse_quality(data: object) -> None | QualityInput | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quality_type_0 = QualityInput.from_dict(data)

                return quality_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QualityInput | Unset, data)

        quality = _parse_quality(d.pop("quality", UNSET))

        job_create = cls(
            title=title,
            description=description,
            budget=budget,
            currency=currency,
            skills=skills,
            deadline=deadline,
            schema=schema,
            quality=quality,
        )

        return job_create
