from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.record_field_input import RecordFieldInput


T = TypeVar("T", bound="RecordSchemaInput")


@_attrs_define
class RecordSchemaInput:
    """
    Attributes:
        fields (list[RecordFieldInput]):
        primary_key (Any | Unset): A field's name, or a list of exactly one field name.
    """

    fields: list[RecordFieldInput]
    primary_key: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        fields = []
        for fields_item_data in self.fields:
            fields_item = fields_item_data.to_dict()
            fields.append(fields_item)

        primary_key = self.primary_key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "fields": fields,
            }
        )
        if primary_key is not UNSET:
            field_dict["primaryKey"] = primary_key

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.record_field_input import RecordFieldInput  # noqa: PLC0415

        d = dict(src_dict)
        fields = []
        _fields = d.pop("fields")
        for fields_item_data in _fields:
            fields_item = RecordFieldInput.from_dict(fields_item_data)

            fields.append(fields_item)

        primary_key = d.pop("primaryKey", UNSET)

        record_schema_input = cls(
            fields=fields,
            primary_key=primary_key,
        )

        return record_schema_input
