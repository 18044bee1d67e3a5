from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """
    Attributes:
        id (int):
        email (str):
        role (str):
        name (str):
        country (str):
        skills (list[str]):
        bio (str):
        status (str):
        payouts_enabled (bool):
        payout_eligible (bool | None): Whether the payment gateway can pay this freelancer out where they live; null for
            clients and admins.
        email_notifications (bool): Whether the user gets emails about their work.
        two_factor (bool): Whether two-factor sign-in is on.
        created_at (datetime.datetime):
    """

    id: int
    email: str
    role: str
    name: str
    country: str
    skills: list[str]
    bio: str
    status: str
    payouts_enabled: bool
    payout_eligible: bool | None
    email_notifications: bool
    two_factor: bool
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        role = self.role

        name = self.name

        country = self.country

        skills = self.skills

        bio = self.bio

        status = self.status

        payouts_enabled = self.payouts_enabled

        payout_eligible: bool | None
        payout_eligible = self.payout_eligible

        email_notifications = self.email_notifications

        two_factor = self.two_factor

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "email": email,
                "role": role,
                "name": name,
                "country": country,
                "skills": skills,
                "bio": bio,
                "status": status,
                "payouts_enabled": payouts_enabled,
                "payout_eligible": payout_eligible,
                "email_notifications": email_notifications,
                "two_factor": two_factor,
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

        skills = cast(list[str], d.pop("skills"))

        bio = d.pop("bio")

        status = d.pop("status")

        payouts_enabled = d.pop("payouts_enabled")

        def _parse_payout_eligible(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        payout_eligible = _parse_payout_eligible(d.pop("payout_eligible"))

        email_notifications = d.pop("email_notifications")

        two_factor = d.pop("two_factor")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        user = cls(
            id=id,
            email=email,
            role=role,
            name=name,
            country=country,
            skills=skills,
            bio=bio,
            status=status,
            payouts_enabled=payouts_enabled,
            payout_eligible=payout_eligible,
            email_notifications=email_notifications,
            two_factor=two_factor,
            created_at=created_at,
        )

        return user
