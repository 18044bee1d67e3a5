from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.dispute_status import DisputeStatus, check_dispute_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.dispute_message import DisputeMessage
    from ..models.dispute_opened_by_type_1_type_0 import DisputeOpenedByType1Type0
    from ..models.dispute_resolution_type_0_type_0 import DisputeResolutionType0Type0
    from ..models.person import Person
    from ..models.resolution import Resolution


T = TypeVar("T", bound="Dispute")


@_attrs_define
class Dispute:
    """
    Attributes:
        id (int | Unset):
        milestone_id (int | Unset):
        contract_id (int | Unset):
        opened_by (DisputeOpenedByType1Type0 | None | Person | Unset): null when the platform opened it (a chargeback)
        reason (str | Unset):
        status (DisputeStatus | Unset):
        resolution (DisputeResolutionType0Type0 | None | Resolution | Unset):
        messages (list[DisputeMessage] | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    milestone_id: int | Unset = UNSET
    contract_id: int | Unset = UNSET
    opened_by: DisputeOpenedByType1Type0 | None | Person | Unset = UNSET
    reason: str | Unset = UNSET
    status: DisputeStatus | Unset = UNSET
    resolution: DisputeResolutionType0Type0 | None | Resolution | Unset = UNSET
    messages: list[DisputeMessage] | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.dispute_opened_by_type_1_type_0 import DisputeOpenedByType1Type0  # noqa: PLC0415
        from ..models.dispute_resolution_type_0_type_0 import DisputeResolutionType0Type0  # noqa: PLC0415
        from ..models.person import Person  # noqa: PLC0415
        from ..models.resolution import Resolution  # noqa: PLC0415

        id = self.id

        milestone_id = self.milestone_id

        contract_id = self.contract_id

        opened_by: dict[str, Any] | None | Unset
        if isinstance(self.opened_by, Unset):
            opened_by = UNSET
        elif isinstance(self.opened_by, Person):
            opened_by = self.opened_by.to_dict()
        elif isinstance(self.opened_by, DisputeOpenedByType1Type0):
            opened_by = self.opened_by.to_dict()
        else:
            opened_by = self.opened_by

        reason = self.reason

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        resolution: dict[str, Any] | None | Unset
        if isinstance(self.resolution, Unset):
            resolution = UNSET
        elif isinstance(self.resolution, DisputeResolutionType0Type0):
            resolution = self.resolution.to_dict()
        elif isinstance(self.resolution, Resolution):
            resolution = self.resolution.to_dict()
        else:
            resolution = self.resolution

        messages: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.messages, Unset):
            messages = []
            for messages_item_data in self.messages:
                messages_item = messages_item_data.to_dict()
                messages.append(messages_item)

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if milestone_id is not UNSET:
            field_dict["milestone_id"] = milestone_id
        if contract_id is not UNSET:
            field_dict["contract_id"] = contract_id
        if opened_by is not UNSET:
            field_dict["opened_by"] = opened_by
        if reason is not UNSET:
            field_dict["reason"] = reason
        if status is not UNSET:
            field_dict["status"] = status
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if messages is not UNSET:
            field_dict["messages"] = messages
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dispute_message import DisputeMessage  # noqa: PLC0415
        from ..models.dispute_opened_by_type_1_type_0 import DisputeOpenedByType1Type0  # noqa: PLC0415
        from ..models.dispute_resolution_type_0_type_0 import DisputeResolutionType0Type0  # noqa: PLC0415
        from ..models.person import Person  # noqa: PLC0415
        from ..models.resolution import Resolution  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        milestone_id = d.pop("milestone_id", UNSET)

        contract_id = d.pop("contract_id", UNSET)

        def _parse_opened_by(data: object) -> DisputeOpenedByType1Type0 | None | Person | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                opened_by_type_0 = Person.from_dict(data)

                return opened_by_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                opened_by_type_1_type_0 = DisputeOpenedByType1Type0.from_dict(data)

                return opened_by_type_1_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisputeOpenedByType1Type0 | None | Person | Unset, data)

        opened_by = _parse_opened_by(d.pop("opened_by", UNSET))

        reason = d.pop("reason", UNSET)

        _status = d.pop("status", UNSET)
        status: DisputeStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_dispute_status(_status)

        def _parse_resolution(data: object) -> DisputeResolutionType0Type0 | None | Resolution | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                resolution_type_0_type_0 = DisputeResolutionType0Type0.from_dict(data)

                return resolution_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                resolution_type_1 = Resolution.from_dict(data)

                return resolution_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DisputeResolutionType0Type0 | None | Resolution | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        _messages = d.pop("messages", UNSET)
        messages: list[DisputeMessage] | Unset = UNSET
        if _messages is not UNSET:
            messages = []
            for messages_item_data in _messages:
                messages_item = DisputeMessage.from_dict(messages_item_data)

                messages.append(messages_item)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

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
