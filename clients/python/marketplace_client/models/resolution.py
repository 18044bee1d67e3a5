from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.person import Person


T = TypeVar("T", bound="Resolution")


@_attrs_define
class Resolution:
    """
    Attributes:
        freelancer_amount (int | Unset):
        client_amount (int | Unset):
        note (str | Unset):
        resolved_by (Person | Unset):
        resolved_at (datetime.datetime | Unset):
    """

    freelancer_amount: int | Unset = UNSET
    client_amount: int | Unset = UNSET
    note: str | Unset = UNSET
    resolved_by: Person | Unset = UNSET
    resolved_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        freelancer_amount = self.freelancer_amount

        client_amount = self.client_amount

        note = self.note

        resolved_by: dict[str, Any] | Unset = UNSET
        if not isinstance(self.resolved_by, Unset):
            resolved_by = self.resolved_by.to_dict()

        resolved_at: str | Unset = UNSET
        if not isinstance(self.resolved_at, Unset):
            resolved_at = self.resolved_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if freelancer_amount is not UNSET:
            field_dict["freelancer_amount"] = freelancer_amount
        if client_amount is not UNSET:
            field_dict["client_amount"] = client_amount
        if note is not UNSET:
            field_dict["note"] = note
        if resolved_by is not UNSET:
            field_dict["resolved_by"] = resolved_by
        if resolved_at is not UNSET:
            field_dict["resolved_at"] = resolved_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.person import Person  # noqa: PLC0415

        d = dict(src_dict)
        freelancer_amount = d.pop("freelancer_amount", UNSET)

        client_amount = d.pop("client_amount", UNSET)

        note = d.pop("note", UNSET)

        _resolved_by = d.pop("resolved_by", UNSET)
        resolved_by: Person | Unset
        if isinstance(_resolved_by, Unset):
            resolved_by = UNSET
        else:
            resolved_by = Person.from_dict(_resolved_by)

        _resolved_at = d.pop("resolved_at", UNSET)
        resolved_at: datetime.datetime | Unset
        if isinstance(_resolved_at, Unset):
            resolved_at = UNSET
        else:
            resolved_at = datetime.datetime.fromisoformat(_resolved_at)

        resolution = cls(
            freelancer_amount=freelancer_amount,
            client_amount=client_amount,
            note=note,
            resolved_by=resolved_by,
            resolved_at=resolved_at,
        )

        return resolution
