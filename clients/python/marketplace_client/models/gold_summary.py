from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="GoldSummary")


@_attrs_define
class GoldSummary:
    """
    Attributes:
        rows (int): Gold records now held: the set sent.
        fields (int): Fields of the job's record schema.
    """

    rows: int
    fields: int

    def to_dict(self) -> dict[str, Any]:
        rows = self.rows

        fields = self.fields

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rows": rows,
                "fields": fields,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        rows = d.pop("rows")

        fields = d.pop("fields")

        gold_summary = cls(
            rows=rows,
            fields=fields,
        )

        return gold_summary
