from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookReceipt")


@_attrs_define
class WebhookReceipt:
    """
    Attributes:
        received (bool):
        handled (bool | Unset): Whether the marketplace acts on this type of event.
        duplicate (bool | Unset): This event id was received before; nothing was done again.
    """

    received: bool
    handled: bool | Unset = UNSET
    duplicate: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        received = self.received

        handled = self.handled

        duplicate = self.duplicate

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "received": received,
            }
        )
        if handled is not UNSET:
            field_dict["handled"] = handled
        if duplicate is not UNSET:
            field_dict["duplicate"] = duplicate

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        received = d.pop("received")

        handled = d.pop("handled", UNSET)

        duplicate = d.pop("duplicate", UNSET)

        webhook_receipt = cls(
            received=received,
            handled=handled,
            duplicate=duplicate,
        )

        return webhook_receipt
