from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Review")


@_attrs_define
class Review:
    """
    Attributes:
        id (int):
        contract_id (int):
        author_id (int):
        subject_id (int):
        rating (int):
        comment (str):
        created_at (datetime.datetime):
    """

    id: int
    contract_id: int
    author_id: int
    subject_id: int
    rating: int
    comment: str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contract_id = self.contract_id

        author_id = self.author_id

        subject_id = self.subject_id

        rating = self.rating

        comment = self.comment

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "contract_id": contract_id,
                "author_id": author_id,
                "subject_id": subject_id,
                "rating": rating,
                "comment": comment,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        contract_id = d.pop("contract_id")

        author_id = d.pop("author_id")

        subject_id = d.pop("subject_id")

        rating = d.pop("rating")

        comment = d.pop("comment")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        review = cls(
            id=id,
            contract_id=contract_id,
            author_id=author_id,
            subject_id=subject_id,
            rating=rating,
            comment=comment,
            created_at=created_at,
        )

        return review
