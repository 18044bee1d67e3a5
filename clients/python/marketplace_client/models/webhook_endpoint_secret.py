from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="WebhookEndpointSecret")


@_attrs_define
class WebhookEndpointSecret:
    """
    Attributes:
        id (int):
        url (str):
        events (list[str]):
        description (str):
        enabled (bool): false once deliveries failed for about two days, or by PATCH
        created_at (datetime.datetime):
        secret (str): The signing secret (Standard Webhooks `whsec_...`), shown once.
    """

    id: int
    url: str
    events: list[str]
    description: str
    enabled: bool
    created_at: datetime.datetime
    secret: str

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        url = self.url

        events = self.events

        description = self.description

        enabled = self.enabled

        created_at = self.created_at.isoformat()

        secret = self.secret

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "url": url,
                "events": events,
                "description": description,
                "enabled": enabled,
                "created_at": created_at,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        url = d.pop("url")

        events = cast(list[str], d.pop("events"))

        description = d.pop("description")

        enabled = d.pop("enabled")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        secret = d.pop("secret")

        webhook_endpoint_secret = cls(
            id=id,
            url=url,
            events=events,
            description=description,
            enabled=enabled,
            created_at=created_at,
            secret=secret,
        )

        return webhook_endpoint_secret
