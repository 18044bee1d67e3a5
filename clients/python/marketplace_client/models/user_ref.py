from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UserRef")


@_attrs_define
class UserRef:
    """
    Attributes:
        id (int):
        name (str):
        country (str):
    """

    id: int
    name: str
    country: str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        country = self.country

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "country": country,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        country = d.pop("country")

        user_ref = cls(
            id=id,
            name=name,
            country=country,
        )

        return user_ref
