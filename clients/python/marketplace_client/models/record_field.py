from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.record_field_type import RecordFieldType, check_record_field_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.record_constraints import RecordConstraints


T = TypeVar("T", bound="RecordField")


@_attrs_define
class RecordField:
    """
    Attributes:
        name (str): The column name deliveries use.
        type_ (RecordFieldType):
        title (str | Unset):
        description (str | Unset):
        format_ (str | Unset): string: `email` or `uri`; date: a strptime pattern such as `%d/%m/%Y` (else ISO `YYYY-MM-
            DD`); datetime: a strptime pattern naming day, month, year, hour and minute, read as UTC (else ISO 8601, no
            offset meaning UTC). Left out when `default`.
        constraints (RecordConstraints | Unset):
    """

    name: str
    type_: RecordFieldType
    title: str | Unset = UNSET
    description: str | Unset = UNSET
    format_: str | Unset = UNSET
    constraints: RecordConstraints | Unset = UNSET

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
        from ..models.record_constraints import RecordConstraints  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        type_ = check_record_field_type(d.pop("type"))

        title = d.pop("title", UNSET)

        description = d.pop("description", UNSET)

        format_ = d.pop("format", UNSET)

        _constraints = d.pop("constraints", UNSET)
        constraints: RecordConstraints | Unset
        if isinstance(_constraints, Unset):
            constraints = UNSET
        else:
            constraints = RecordConstraints.from_dict(_constraints)

        record_field = cls(
            name=name,
            type_=type_,
            title=title,
            description=description,
            format_=format_,
            constraints=constraints,
        )

        return record_field
