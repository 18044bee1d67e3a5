from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MilestoneCreate")


@_attrs_define
class MilestoneCreate:
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
        description (str | Unset):  Default: ''.
        due_date (datetime.date | None | Unset):
    """

    title: str
    amount: int | Unset = UNSET
    unit_price: int | None | Unset = UNSET
    max_records: int | None | Unset = UNSET
    description: str | Unset = ""
    due_date: datetime.date | None | Unset = UNSET

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

        description = self.description

        due_date: None | str | Unset
        if isinstance(self.due_date, Unset):
            due_date = UNSET
        elif isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

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
        if description is not UNSET:
            field_dict["description"] = description
        if due_date is not UNSET:
            field_dict["due_date"] = due_date

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

        description = d.pop("description", UNSET)

        def _parse_due_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.date.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        due_date = _parse_due_date(d.pop("due_date", UNSET))

        milestone_create = cls(
            title=title,
            amount=amount,
            unit_price=unit_price,
            max_records=max_records,
            description=description,
            due_date=due_date,
        )

        return milestone_create
