from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.report_error_code import ReportErrorCode, check_report_error_code

T = TypeVar("T", bound="ReportError")


@_attrs_define
class ReportError:
    """
    Attributes:
        row (int | None): The data row, counted from 1 below the header (as a spreadsheet shows it, less one); null for
            an error about the whole delivery.
        field (None | str): The field (column) concerned; null when not one field.
        code (ReportErrorCode):
        message (str):
    """

    row: int | None
    field: None | str
    code: ReportErrorCode
    message: str

    def to_dict(self) -> dict[str, Any]:
        row: int | None
        row = self.row

        field: None | str
        field = self.field

        code: str = self.code

        message = self.message

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "row": row,
                "field": field,
                "code": code,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_row(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        row = _parse_row(d.pop("row"))

        def _parse_field(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        field = _parse_field(d.pop("field"))

        code = check_report_error_code(d.pop("code"))

        message = d.pop("message")

        report_error = cls(
            row=row,
            field=field,
            code=code,
            message=message,
        )

        return report_error
