from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """
    Attributes:
        id (int | Unset):
        email (str | Unset):
        role (str | Unset):
        name (str | Unset):
        country (str | Unset):
        skills (list[str] | Unset):
        bio (str | Unset):
        status (str | Unset):
        payouts_enabled (bool | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    email: str | Unset = UNSET
    role: str | Unset = UNSET
    name: str | Unset = UNSET
    country: str | Unset = UNSET
    skills: list[str] | Unset = UNSET
    bio: str | Unset = UNSET
    status: str | Unset = UNSET
    payouts_enabled: bool | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        role = self.role

        name = self.name

        country = self.country

        skills: list[str] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = self.skills

        bio = self.bio

        status = self.status

        payouts_enabled = self.payouts_enabled

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if email is not UNSET:
            field_dict["email"] = email
        if role is not UNSET:
            field_dict["role"] = role
        if name is not UNSET:
            field_dict["name"] = name
        if country is not UNSET:
            field_dict["country"] = country
        if skills is not UNSET:
            field_dict["skills"] = skills
        if bio is not UNSET:
            field_dict["bio"] = bio
        if status is not UNSET:
            field_dict["status"] = status
        if payouts_enabled is not UNSET:
            field_dict["payouts_enabled"] = payouts_enabled
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        email = d.pop("email", UNSET)

        role = d.pop("role", UNSET)

        name = d.pop("name", UNSET)

        country = d.pop("country", UNSET)

        skills = cast(list[str], d.pop("skills", UNSET))

        bio = d.pop("bio", UNSET)

        status = d.pop("status", UNSET)

        payouts_enabled = d.pop("payouts_enabled", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

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
            created_at=created_at,
        )

        return user
