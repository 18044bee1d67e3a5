from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="AdminUser")


@_attrs_define
class AdminUser:
    """
    Attributes:
        id (int):
        email (str):
        role (str):
        name (str):
        country (str):
        status (str):
        suspended_reason (None | str):
        payouts_enabled (bool):
        created_at (datetime.datetime):
    """

    id: int
    email: str
    role: str
    name: str
    country: str
    status: str
    suspended_reason: None | str
    payouts_enabled: bool
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        role = self.role

        name = self.name

        country = self.country

        status = self.status

        suspended_reason: None | str
        suspended_reason = self.suspended_reason

        payouts_enabled = self.payouts_enabled

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "email": email,
                "role": role,
                "name": name,
                "country": country,
                "status": status,
                "suspended_reason": suspended_reason,
                "payouts_enabled": payouts_enabled,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        role = d.pop("role")

        name = d.pop("name")

        country = d.pop("country")

        status = d.pop("status")

        def _parse_suspended_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        suspended_reason = _parse_suspended_reason(d.pop("suspended_reason"))

        payouts_enabled = d.pop("payouts_enabled")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        admin_user = cls(
            id=id,
            email=email,
            role=role,
            name=name,
            country=country,
            status=status,
            suspended_reason=suspended_reason,
            payouts_enabled=payouts_enabled,
            created_at=created_at,
        )

        return admin_user
