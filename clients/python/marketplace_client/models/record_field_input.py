from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.record_field_input_type import RecordFieldInputType, check_record_field_input_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.record_constraints_input import RecordConstraintsInput


T = TypeVar("T", bound="RecordFieldInput")


@_attrs_define
class RecordFieldInput:
    """
    Attributes:
        name (str): Unique; no leading or trailing spaces.
        type_ (RecordFieldInputType):
        title (str | Unset):
        description (str | Unset):
        format_ (str | Unset): string: `default`, `email`, `uri`; date: `default` (ISO `YYYY-MM-DD`) or a strptime
            pattern naming day, month and year (`%d/%m/%Y`); datetime: `default` (ISO 8601 `YYYY-MM-DDTHH:MM:SS`, optional
            fraction, `Z` or an offset, none meaning UTC) or a strptime pattern naming day, month, year, hour and minute
            (`%d/%m/%Y %H:%M`, read as UTC); other types: `default`.
        constraints (RecordConstraintsInput | Unset):
    """

    name: str
    type_: RecordFieldInputType
    title: str | Unset = UNSET
    description: str | Unset = UNSET
    format_: str | Unset = UNSET
    constraints: RecordConstraintsInput | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        type_: str = self.type_

        title = self.title

        description = self.description

        format_ = self.format_

        constraints: dict[str, Any] | Unset = UNSET
        if not isinstance(self.constraints, Unset):
            constraints = self.constraints.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "type": type_,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title
        if description is not UNSET:
            field_dict["description"] = description
        if format_ is not UNSET:
            field_dict["format"] = format_
        if constraints is not UNSET:
            field_dict["constraints"] = constraints

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.record_constraints_input import RecordConstraintsInput  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        type_ = check_record_field_input_type(d.pop("type"))

        title = d.pop("title", UNSET)

        description = d.pop("description", UNSET)

        format_ = d.pop("format", UNSET)

        _constraints = d.pop("constraints", UNSET)
        constraints: RecordConstraintsInput | Unset
        if isinstance(_constraints, Unset):
            constraints = UNSET
        else:
            constraints = RecordConstraintsInput.from_dict(_constraints)

        record_field_input = cls(
            name=name,
            type_=type_,
            title=title,
            description=description,
            format_=format_,
            constraints=constraints,
        )

        return record_field_input
