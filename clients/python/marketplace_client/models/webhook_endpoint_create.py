from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.webhook_endpoint_create_events_item import (
    WebhookEndpointCreateEventsItem,
    check_webhook_endpoint_create_events_item,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookEndpointCreate")


@_attrs_define
class WebhookEndpointCreate:
    """
    Attributes:
        url (str):
        events (list[WebhookEndpointCreateEventsItem]): Event types to send, or ["*"] for every type.
        description (str | Unset):  Default: ''.
    """

    url: str
    events: list[WebhookEndpointCreateEventsItem]
    description: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        events = []
        for events_item_data in self.events:
            events_item: str = events_item_data
            events.append(events_item)

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "events": events,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url")

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = check_webhook_endpoint_create_events_item(events_item_data)

            events.append(events_item)

        description = d.pop("description", UNSET)

        webhook_endpoint_create = cls(
            url=url,
            events=events,
            description=description,
        )

        return webhook_endpoint_create
