from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="QualityInput")


@_attrs_define
class QualityInput:
    """
    Attributes:
        min_accuracy (float | None | Unset): The least accuracy on the job's gold records a delivery needs, 0 to 1 with
            at most 4 decimals (0.98).
    """

    min_accuracy: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        min_accuracy: float | None | Unset
        if isinstance(self.min_accuracy, Unset):
            min_accuracy = UNSET
        else:
            min_accuracy = self.min_accuracy

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if min_accuracy is not UNSET:
            field_dict["min_accuracy"] = min_accuracy

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_min_accuracy(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        min_accuracy = _parse_min_accuracy(d.pop("min_accuracy", UNSET))

        quality_input = cls(
            min_accuracy=min_accuracy,
        )

        return quality_input
