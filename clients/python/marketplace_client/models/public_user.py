from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.rating import Rating


T = TypeVar("T", bound="PublicUser")


@_attrs_define
class PublicUser:
    """
    Attributes:
        id (int):
        role (str):
        name (str):
        country (str):
        skills (list[str]):
        bio (str):
        rating (Rating):
        completed_contracts (int): Completed contracts on which money was released.
        payout_eligible (bool | None): Whether the payment gateway can pay this freelancer out where they live; null for
            clients and admins.
        created_at (datetime.datetime):
    """

    id: int
    role: str
    name: str
    country: str
    skills: list[str]
    bio: str
    rating: Rating
    completed_contracts: int
    payout_eligible: bool | None
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        role = self.role

        name = self.name

        country = self.country

        skills = self.skills

        bio = self.bio

        rating = self.rating.to_dict()

        completed_contracts = self.completed_contracts

        payout_eligible: bool | None
        payout_eligible = self.payout_eligible

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "role": role,
                "name": name,
                "country": country,
                "skills": skills,
                "bio": bio,
                "rating": rating,
                "completed_contracts": completed_contracts,
                "payout_eligible": payout_eligible,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rating import Rating  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        role = d.pop("role")

        name = d.pop("name")

        country = d.pop("country")

        skills = cast(list[str], d.pop("skills"))

        bio = d.pop("bio")

        rating = Rating.from_dict(d.pop("rating"))

        completed_contracts = d.pop("completed_contracts")

        def _parse_payout_eligible(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        payout_eligible = _parse_payout_eligible(d.pop("payout_eligible"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        public_user = cls(
            id=id,
            role=role,
            name=name,
            country=country,
            skills=skills,
            bio=bio,
            rating=rating,
            completed_contracts=completed_contracts,
            payout_eligible=payout_eligible,
            created_at=created_at,
        )

        return public_user
