from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.delivered_record_values import DeliveredRecordValues


T = TypeVar("T", bound="DeliveredRecord")


@_attrs_define
class DeliveredRecord:
    """
    Attributes:
        row (int):
        values (DeliveredRecordValues): Field name to value, typed as the schema says (dates as ISO text).
        rejected (None | str): Why the client rejected this row; null when not rejected.
    """

    row: int
    values: DeliveredRecordValues
    rejected: None | str

    def to_dict(self) -> dict[str, Any]:
        row = self.row

        values = self.values.to_dict()

        rejected: None | str
        rejected = self.rejected

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "row": row,
                "values": values,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delivered_record_values import DeliveredRecordValues  # noqa: PLC0415

        d = dict(src_dict)
        row = d.pop("row")

        values = DeliveredRecordValues.from_dict(d.pop("values"))

        def _parse_rejected(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        rejected = _parse_rejected(d.pop("rejected"))

        delivered_record = cls(
            row=row,
            values=values,
            rejected=rejected,
        )

        return delivered_record
