from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.audit_entry_data import AuditEntryData
    from ..models.person import Person


T = TypeVar("T", bound="AuditEntry")


@_attrs_define
class AuditEntry:
    """
    Attributes:
        id (int):
        actor (None | Person):
        action (str):
        target (str):
        data (AuditEntryData):
        created_at (datetime.datetime):
    """

    id: int
    actor: None | Person
    action: str
    target: str
    data: AuditEntryData
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.person import Person  # noqa: PLC0415

        id = self.id

        actor: dict[str, Any] | None
        if isinstance(self.actor, Person):
            actor = self.actor.to_dict()
        else:
            actor = self.actor

        action = self.action

        target = self.target

        data = self.data.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "actor": actor,
                "action": action,
                "target": target,
                "data": data,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_entry_data import AuditEntryData  # noqa: PLC0415
        from ..models.person import Person  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_actor(data: object) -> None | Person:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                actor_type_0 = Person.from_dict(data)

                return actor_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Person, data)

        actor = _parse_actor(d.pop("actor"))

        action = d.pop("action")

        target = d.pop("target")

        data = AuditEntryData.from_dict(d.pop("data"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        audit_entry = cls(
            id=id,
            actor=actor,
            action=action,
            target=target,
            data=data,
            created_at=created_at,
        )

        return audit_entry
