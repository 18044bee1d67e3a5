from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Quality")


@_attrs_define
class Quality:
    """
    Attributes:
        min_accuracy (float): 0 to 1, at most 4 decimals.
    """

    min_accuracy: float

    def to_dict(self) -> dict[str, Any]:
        min_accuracy = self.min_accuracy

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "min_accuracy": min_accuracy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        min_accuracy = d.pop("min_accuracy")

        quality = cls(
            min_accuracy=min_accuracy,
        )

        return quality
