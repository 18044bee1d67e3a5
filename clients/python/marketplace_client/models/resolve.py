from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Resolve")


@_attrs_define
class Resolve:
    """
    Attributes:
        freelancer_amount (int): Money: an integer in minor units of the disputed milestone's `currency` (12500 with USD
            is 125.00 US dollars), never a float.
        note (str):
    """

    freelancer_amount: int
    note: str

    def to_dict(self) -> dict[str, Any]:
        freelancer_amount = self.freelancer_amount

        note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "freelancer_amount": freelancer_amount,
                "note": note,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        freelancer_amount = d.pop("freelancer_amount")

        note = d.pop("note")

        resolve = cls(
            freelancer_amount=freelancer_amount,
            note=note,
        )

        return resolve
