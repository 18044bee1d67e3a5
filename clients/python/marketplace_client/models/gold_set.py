from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.gold_set_records_item import GoldSetRecordsItem


T = TypeVar("T", bound="GoldSet")


@_attrs_define
class GoldSet:
    """
    Attributes:
        rows (int): Gold records held.
        records (list[GoldSetRecordsItem]): The gold records in the order they were sent, each keyed by the schema's
            field names, values typed as the schema says (dates as ISO text, as the JSON records of a delivery).
    """

    rows: int
    records: list[GoldSetRecordsItem]

    def to_dict(self) -> dict[str, Any]:
        rows = self.rows

        records = []
        for records_item_data in self.records:
            records_item = records_item_data.to_dict()
            records.append(records_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rows": rows,
                "records": records,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gold_set_records_item import GoldSetRecordsItem  # noqa: PLC0415

        d = dict(src_dict)
        rows = d.pop("rows")

        records = []
        _records = d.pop("records")
        for records_item_data in _records:
            records_item = GoldSetRecordsItem.from_dict(records_item_data)

            records.append(records_item)

        gold_set = cls(
            rows=rows,
            records=records,
        )

        return gold_set
