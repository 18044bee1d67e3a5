from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.event_data_object import EventDataObject


T = TypeVar("T", bound="EventData")


@_attrs_define
class EventData:
    """
    Attributes:
        object_ (EventDataObject): The resource in its new state, as its own endpoint returns it to this recipient (a
            bid, contract, milestone, dispute, message, ledger line, review, user or webhook endpoint).
    """

    object_: EventDataObject

    def to_dict(self) -> dict[str, Any]:
        object_ = self.object_.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "object": object_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.event_data_object import EventDataObject  # noqa: PLC0415

        d = dict(src_dict)
        object_ = EventDataObject.from_dict(d.pop("object"))

        event_data = cls(
            object_=object_,
        )

        return event_data
