from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Submit")


@_attrs_define
class Submit:
    """
    Attributes:
        note (str | Unset): Required on a job without a record schema (the note is the delivery); optional beside
            records.
        records (Any | Unset): Only on a job with a record schema, and required there (unless the records come as a
            multipart `file`): objects keyed by the schema's field names; a missing key is an empty cell, an unknown key an
            `unknown_column` error.
    """

    note: str | Unset = UNSET
    records: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        note = self.note

        records = self.records

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if note is not UNSET:
            field_dict["note"] = note
        if records is not UNSET:
            field_dict["records"] = records

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        note = d.pop("note", UNSET)

        records = d.pop("records", UNSET)

        submit = cls(
            note=note,
            records=records,
        )

        return submit
