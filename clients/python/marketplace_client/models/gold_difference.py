from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GoldDifference")


@_attrs_define
class GoldDifference:
    """
    Attributes:
        row (int): The delivery's row (data rows from 1).
        field (str):
        expected (Any): The gold record's value, typed as the schema says (dates as ISO text; text over 100 characters
            cut, ending with `…`).
        delivered (Any): The delivery's, alike.
    """

    row: int
    field: str
    expected: Any
    delivered: Any

    def to_dict(self) -> dict[str, Any]:
        row = self.row

        field = self.field

        expected = self.expected

        delivered = self.delivered

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "row": row,
                "field": field,
                "expected": expected,
                "delivered": delivered,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        row = d.pop("row")

        field = d.pop("field")

        expected = d.pop("expected")

        delivered = d.pop("delivered")

        gold_difference = cls(
            row=row,
            field=field,
            expected=expected,
            delivered=delivered,
        )

        return gold_difference
