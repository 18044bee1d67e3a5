from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RecordConstraints")


@_attrs_define
class RecordConstraints:
    """
    Attributes:
        required (bool | Unset):
        unique (bool | Unset):
        pattern (str | Unset): String fields: RE2 syntax, matched against the whole value, in linear time (no
            backreferences or lookaround).
        enum (list[Any] | Unset): Values of the field's type (1 to 1,000).
        minimum (Any | Unset): integer, number, date, datetime fields: a value of the field's type (dates as strings in
            the field's format).
        maximum (Any | Unset): As `minimum`.
        min_length (int | Unset): String fields.
        max_length (int | Unset): String fields.
    """

    required: bool | Unset = UNSET
    unique: bool | Unset = UNSET
    pattern: str | Unset = UNSET
    enum: list[Any] | Unset = UNSET
    minimum: Any | Unset = UNSET
    maximum: Any | Unset = UNSET
    min_length: int | Unset = UNSET
    max_length: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        required = self.required

        unique = self.unique

        pattern = self.pattern

        enum: list[Any] | Unset = UNSET
        if not isinstance(self.enum, Unset):
            enum = self.enum

        minimum = self.minimum

        maximum = self.maximum

        min_length = self.min_length

        max_length = self.max_length

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if required is not UNSET:
            field_dict["required"] = required
        if unique is not UNSET:
            field_dict["unique"] = unique
        if pattern is not UNSET:
            field_dict["pattern"] = pattern
        if enum is not UNSET:
            field_dict["enum"] = enum
        if minimum is not UNSET:
            field_dict["minimum"] = minimum
        if maximum is not UNSET:
            field_dict["maximum"] = maximum
        if min_length is not UNSET:
            field_dict["minLength"] = min_length
        if max_length is not UNSET:
            field_dict["maxLength"] = max_length

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        required = d.pop("required", UNSET)

        unique = d.pop("unique", UNSET)

        pattern = d.pop("pattern", UNSET)

        enum = cast(list[Any], d.pop("enum", UNSET))

        minimum = d.pop("minimum", UNSET)

        maximum = d.pop("maximum", UNSET)

        min_length = d.pop("minLength", UNSET)

        max_length = d.pop("maxLength", UNSET)

        record_constraints = cls(
            required=required,
            unique=unique,
            pattern=pattern,
            enum=enum,
            minimum=minimum,
            maximum=maximum,
            min_length=min_length,
            max_length=max_length,
        )

        return record_constraints
