from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.gold_records_records_item import GoldRecordsRecordsItem


T = TypeVar("T", bound="GoldRecords")


@_attrs_define
class GoldRecords:
    """
    Attributes:
        records (list[GoldRecordsRecordsItem] | Unset): Required in a JSON body: the gold records, each a JSON object
            keyed by the schema's field names, checked as a delivery's records are (at most `MAX_RECORDS_PER_DELIVERY`).
    """

    records: list[GoldRecordsRecordsItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        records: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.records, Unset):
            records = []
            for records_item_data in self.records:
                records_item = records_item_data.to_dict()
                records.append(records_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if records is not UNSET:
            field_dict["records"] = records

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gold_records_records_item import GoldRecordsRecordsItem  # noqa: PLC0415

        d = dict(src_dict)
        _records = d.pop("records", UNSET)
        records: list[GoldRecordsRecordsItem] | Unset = UNSET
        if _records is not UNSET:
            records = []
            for records_item_data in _records:
                records_item = GoldRecordsRecordsItem.from_dict(records_item_data)

                records.append(records_item)

        gold_records = cls(
            records=records,
        )

        return gold_records
