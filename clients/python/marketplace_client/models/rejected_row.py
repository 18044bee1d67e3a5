from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RejectedRow")


@_attrs_define
class RejectedRow:
    """
    Attributes:
        row (int): The row's number in the latest delivery (data rows from 1).
        reason (str):
    """

    row: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        row = self.row

        reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "row": row,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        row = d.pop("row")

        reason = d.pop("reason")

        rejected_row = cls(
            row=row,
            reason=reason,
        )

        return rejected_row
