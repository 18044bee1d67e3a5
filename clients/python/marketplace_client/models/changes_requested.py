from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ChangesRequested")


@_attrs_define
class ChangesRequested:
    """
    Attributes:
        reason (str):
        created_at (datetime.datetime):
    """

    reason: str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        reason = d.pop("reason")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        changes_requested = cls(
            reason=reason,
            created_at=created_at,
        )

        return changes_requested
