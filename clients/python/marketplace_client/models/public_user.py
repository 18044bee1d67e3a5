from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rating import Rating


T = TypeVar("T", bound="PublicUser")


@_attrs_define
class PublicUser:
    """
    Attributes:
        id (int | Unset):
        role (str | Unset):
        name (str | Unset):
        country (str | Unset):
        skills (list[str] | Unset):
        bio (str | Unset):
        rating (Rating | Unset):
        completed_contracts (int | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    role: str | Unset = UNSET
    name: str | Unset = UNSET
    country: str | Unset = UNSET
    skills: list[str] | Unset = UNSET
    bio: str | Unset = UNSET
    rating: Rating | Unset = UNSET
    completed_contracts: int | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        role = self.role

        name = self.name

        country = self.country

        skills: list[str] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = self.skills

        bio = self.bio

        rating: dict[str, Any] | Unset = UNSET
        if not isinstance(self.rating, Unset):
            rating = self.rating.to_dict()

        completed_contracts = self.completed_contracts

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
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
        if rating is not UNSET:
            field_dict["rating"] = rating
        if completed_contracts is not UNSET:
            field_dict["completed_contracts"] = completed_contracts
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rating import Rating  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        role = d.pop("role", UNSET)

        name = d.pop("name", UNSET)

        country = d.pop("country", UNSET)

        skills = cast(list[str], d.pop("skills", UNSET))

        bio = d.pop("bio", UNSET)

        _rating = d.pop("rating", UNSET)
        rating: Rating | Unset
        if isinstance(_rating, Unset):
            rating = UNSET
        else:
            rating = Rating.from_dict(_rating)

        completed_contracts = d.pop("completed_contracts", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        public_user = cls(
            id=id,
            role=role,
            name=name,
            country=country,
            skills=skills,
            bio=bio,
            rating=rating,
            completed_contracts=completed_contracts,
            created_at=created_at,
        )

        return public_user
