from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="WebhookAttempt")


@_attrs_define
class WebhookAttempt:
    """
    Attributes:
        id (int):
        event_id (int | None): null for a test ping
        attempt (int):
        status_code (int | None): null when none came back
        error (None | str):
        duration_ms (int):
        created_at (datetime.datetime):
    """

    id: int
    event_id: int | None
    attempt: int
    status_code: int | None
    error: None | str
    duration_ms: int
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        event_id: int | None
        event_id = self.event_id

        attempt = self.attempt

        status_code: int | None
        status_code = self.status_code

        error: None | str
        error = self.error

        duration_ms = self.duration_ms

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "event_id": event_id,
                "attempt": attempt,
                "status_code": status_code,
                "error": error,
                "duration_ms": duration_ms,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_event_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        event_id = _parse_event_id(d.pop("event_id"))

        attempt = d.pop("attempt")

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        duration_ms = d.pop("duration_ms")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        webhook_attempt = cls(
            id=id,
            event_id=event_id,
            attempt=attempt,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
            created_at=created_at,
        )

        return webhook_attempt
