from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.audit_entry_actor_type_0_type_0 import AuditEntryActorType0Type0
    from ..models.audit_entry_data import AuditEntryData
    from ..models.person import Person


T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """
    Attributes:
        id (int | Unset):
        actor (AuditEntryActorType0Type0 | None | Person | Unset):
        action (str | Unset):
        target (str | Unset):
        data (AuditEntryData | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    actor: AuditEntryActorType0Type0 | None | Person | Unset = UNSET
    action: str | Unset = UNSET
    target: str | Unset = UNSET
    data: AuditEntryData | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_entry_actor_type_0_type_0 import AuditEntryActorType0Type0  # noqa: PLC0415
        from ..models.person import Person  # noqa: PLC0415

        id = self.id

        actor: dict[str, Any] | None | Unset
        if isinstance(self.actor, Unset):
            actor = UNSET
        elif isinstance(self.actor, AuditEntryActorType0Type0):
            actor = self.actor.to_dict()
        elif isinstance(self.actor, Person):
            actor = self.actor.to_dict()
        else:
            actor = self.actor

        action = self.action

        target = self.target

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if actor is not UNSET:
            field_dict["actor"] = actor
        if action is not UNSET:
            field_dict["action"] = action
        if target is not UNSET:
            field_dict["target"] = target
        if data is not UNSET:
            field_dict["data"] = data
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_actor_type_0_type_0 import AuditEntryActorType0Type0  # noqa: PLC0415
        from ..models.audit_entry_data import AuditEntryData  # noqa: PLC0415
        from ..models.person import Person  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        def _parse_actor(data: object) -> AuditEntryActorType0Type0 | None | Person | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                actor_type_0_type_0 = AuditEntryActorType0Type0.from_dict(data)

                return actor_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                actor_type_1 = Person.from_dict(data)

                return actor_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEntryActorType0Type0 | None | Person | Unset, data)

        actor = _parse_actor(d.pop("actor", UNSET))

        action = d.pop("action", UNSET)

        target = d.pop("target", UNSET)

        _data = d.pop("data", UNSET)
        data: AuditEntryData | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = AuditEntryData.from_dict(_data)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        audit_entry = cls(
            id=id,
            actor=actor,
            action=action,
            target=target,
            data=data,
            created_at=created_at,
        )

        return audit_entry
