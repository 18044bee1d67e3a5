from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="RecordCounts")


@_attrs_define
class RecordCounts:
    """
    Attributes:
        submitted (int): Rows of the latest delivery.
        accepted (int): Set at approval; 0 before.
        rejected (int): Set at approval; 0 before.
    """

    submitted: int
    accepted: int
    rejected: int

    def to_dict(self) -> dict[str, Any]:
        submitted = self.submitted

        accepted = self.accepted

        rejected = self.rejected

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "submitted": submitted,
                "accepted": accepted,
                "rejected": rejected,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        submitted = d.pop("submitted")

        accepted = d.pop("accepted")

        rejected = d.pop("rejected")

        record_counts = cls(
            submitted=submitted,
            accepted=accepted,
            rejected=rejected,
        )

        return record_counts
