from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dispute_status import DisputeStatus, check_dispute_status

if TYPE_CHECKING:
    from ..models.dispute_message import DisputeMessage
    from ..models.person import Person
    from ..models.resolution import Resolution


T = TypeVar("T", bound="Dispute")


@_attrs_define
class Dispute:
    """
    Attributes:
        id (int):
        milestone_id (int):
        contract_id (int):
        opened_by (None | Person): null when the platform opened it (a chargeback)
        reason (str):
        status (DisputeStatus):
        resolution (None | Resolution):
        messages (list[DisputeMessage]):
        created_at (datetime.datetime):
    """

    id: int
    milestone_id: int
    contract_id: int
    opened_by: None | Person
    reason: str
    status: DisputeStatus
    resolution: None | Resolution
    messages: list[DisputeMessage]
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.person import Person  # noqa: PLC0415
        from ..models.resolution import Resolution  # noqa: PLC0415

        id = self.id

        milestone_id = self.milestone_id

        contract_id = self.contract_id

        opened_by: dict[str, Any] | None
        if isinstance(self.opened_by, Person):
            opened_by = self.opened_by.to_dict()
        else:
            opened_by = self.opened_by

        reason = self.reason

        status: str = self.status

        resolution: dict[str, Any] | None
        if isinstance(self.resolution, Resolution):
            resolution = self.resolution.to_dict()
        else:
            resolution = self.resolution

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "milestone_id": milestone_id,
                "contract_id": contract_id,
                "opened_by": opened_by,
                "reason": reason,
                "status": status,
                "resolution": resolution,
                "messages": messages,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dispute_message import DisputeMessage  # noqa: PLC0415
        from ..models.person import Person  # noqa: PLC0415
        from ..models.resolution import Resolution  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        milestone_id = d.pop("milestone_id")

        contract_id = d.pop("contract_id")

        def _parse_opened_by(data: object) -> None | Person:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                opened_by_type_0 = Person.from_dict(data)

                return opened_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Person, data)

        opened_by = _parse_opened_by(d.pop("opened_by"))

        reason = d.pop("reason")

        status = check_dispute_status(d.pop("status"))

        def _parse_resolution(data: object) -> None | Resolution:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                resolution_type_0 = Resolution.from_dict(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Resolution, data)

        resolution = _parse_resolution(d.pop("resolution"))

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = DisputeMessage.from_dict(messages_item_data)

            messages.append(messages_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        dispute = cls(
            id=id,
            milestone_id=milestone_id,
            contract_id=contract_id,
            opened_by=opened_by,
            reason=reason,
            status=status,
            resolution=resolution,
            messages=messages,
            created_at=created_at,
        )

        return dispute
