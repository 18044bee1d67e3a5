from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.gold_difference import GoldDifference


T = TypeVar("T", bound="GoldReport")


@_attrs_define
class GoldReport:
    """
    Attributes:
        accuracy (float): correct / fields, half up: to 4 decimals for the client and admins, to 2 for the freelancer.
        rows (int | Unset): Client and admins only: the delivered rows whose key is a gold record's.
        fields (int | Unset): Client and admins only: the fields compared (each field but the key, in each of those
            rows).
        correct (int | Unset): Client and admins only: the fields compared that matched, text trimmed and with inner
            whitespace collapsed, numbers as numbers, dates as dates; an empty gold value expects an empty one.
        differences (list[GoldDifference] | Unset): Client and admins only: the first 100 fields that differed, in row
            order.
    """

    accuracy: float
    rows: int | Unset = UNSET
    fields: int | Unset = UNSET
    correct: int | Unset = UNSET
    differences: list[GoldDifference] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        accuracy = self.accuracy

        rows = self.rows

        fields = self.fields

        correct = self.correct

        differences: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.differences, Unset):
            differences = []
            for differences_item_data in self.differences:
                differences_item = differences_item_data.to_dict()
                differences.append(differences_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "accuracy": accuracy,
            }
        )
        if rows is not UNSET:
            field_dict["rows"] = rows
        if fields is not UNSET:
            field_dict["fields"] = fields
        if correct is not UNSET:
            field_dict["correct"] = correct
        if differences is not UNSET:
            field_dict["differences"] = differences

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gold_difference import GoldDifference  # noqa: PLC0415

        d = dict(src_dict)
        accuracy = d.pop("accuracy")

        rows = d.pop("rows", UNSET)

        fields = d.pop("fields", UNSET)

        correct = d.pop("correct", UNSET)

        _differences = d.pop("differences", UNSET)
        differences: list[GoldDifference] | Unset = UNSET
        if _differences is not UNSET:
            differences = []
            for differences_item_data in _differences:
                differences_item = GoldDifference.from_dict(differences_item_data)

                differences.append(differences_item)

        gold_report = cls(
            accuracy=accuracy,
            rows=rows,
            fields=fields,
            correct=correct,
            differences=differences,
        )

        return gold_report
