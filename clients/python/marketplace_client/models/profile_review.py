from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.author import Author


T = TypeVar("T", bound="ProfileReview")


@_attrs_define
class ProfileReview:
    """
    Attributes:
        id (int):
        rating (int):
        comment (str):
        author (Author):
        contract_id (int):
        created_at (datetime.datetime):
    """

    id: int
    rating: int
    comment: str
    author: Author
    contract_id: int
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        rating = self.rating

        comment = self.comment

        author = self.author.to_dict()

        contract_id = self.contract_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "rating": rating,
                "comment": comment,
                "author": author,
                "contract_id": contract_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.author import Author  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        rating = d.pop("rating")

        comment = d.pop("comment")

        author = Author.from_dict(d.pop("author"))

        contract_id = d.pop("contract_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        profile_review = cls(
            id=id,
            rating=rating,
            comment=comment,
            author=author,
            contract_id=contract_id,
            created_at=created_at,
        )

        return profile_review
