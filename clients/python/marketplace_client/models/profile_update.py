from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProfileUpdate")


@_attrs_define
class ProfileUpdate:
    """
    Attributes:
        name (str | Unset):
        country (str | Unset):
        skills (list[str] | Unset):
        bio (str | Unset):
        email_notifications (bool | Unset):
    """

    name: str | Unset = UNSET
    country: str | Unset = UNSET
    skills: list[str] | Unset = UNSET
    bio: str | Unset = UNSET
    email_notifications: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        country = self.country

        skills: list[str] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = self.skills

        bio = self.bio

        email_notifications = self.email_notifications

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if country is not UNSET:
            field_dict["country"] = country
        if skills is not UNSET:
            field_dict["skills"] = skills
        if bio is not UNSET:
            field_dict["bio"] = bio
        if email_notifications is not UNSET:
            field_dict["email_notifications"] = email_notifications

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name", UNSET)

        country = d.pop("country", UNSET)

        skills = cast(list[str], d.pop("skills", UNSET))

        bio = d.pop("bio", UNSET)

        email_notifications = d.pop("email_notifications", UNSET)

        profile_update = cls(
            name=name,
            country=country,
            skills=skills,
            bio=bio,
            email_notifications=email_notifications,
        )

        return profile_update
