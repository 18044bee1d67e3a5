from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.person import Person


T = TypeVar("T", bound="Resolution")


@_attrs_define
class Resolution:
    """
    Attributes:
        freelancer_amount (int): Money: an integer in minor units of the disputed milestone's `currency` (12500 with USD
            is 125.00 US dollars), never a float.
        client_amount (int): Money: an integer in minor units of the disputed milestone's `currency` (12500 with USD is
            125.00 US dollars), never a float.
        note (str):
        resolved_by (None | Person): `null` when the platform settled it (a lost chargeback)
        resolved_at (datetime.datetime):
    """

    freelancer_amount: int
    client_amount: int
    note: str
    resolved_by: None | Person
    resolved_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.person import Person  # noqa: PLC0415

        freelancer_amount = self.freelancer_amount

        client_amount = self.client_amount

        note = self.note

        resolved_by: dict[str, Any] | None
        if isinstance(self.resolved_by, Person):
            resolved_by = self.resolved_by.to_dict()
        else:
            resolved_by = self.resolved_by

        resolved_at = self.resolved_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "freelancer_amount": freelancer_amount,
                "client_amount": client_amount,
                "note": note,
                "resolved_by": resolved_by,
                "resolved_at": resolved_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.person import Person  # noqa: PLC0415

        d = dict(src_dict)
        freelancer_amount = d.pop("freelancer_amount")

        client_amount = d.pop("client_amount")

        note = d.pop("note")

        def _parse_resolved_by(data: object) -> None | Person:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                resolved_by_type_0 = Person.from_dict(data)

                return resolved_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Person, data)

        resolved_by = _parse_resolved_by(d.pop("resolved_by"))

        resolved_at = datetime.datetime.fromisoformat(d.pop("resolved_at"))

        resolution = cls(
            freelancer_amount=freelancer_amount,
            client_amount=client_amount,
            note=note,
            resolved_by=resolved_by,
            resolved_at=resolved_at,
        )

        return resolution
