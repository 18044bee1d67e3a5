from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Review")


@_attrs_define
class Review:
    """
    Attributes:
        id (int | Unset):
        contract_id (int | Unset):
        author_id (int | Unset):
        subject_id (int | Unset):
        rating (int | Unset):
        comment (str | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    contract_id: int | Unset = UNSET
    author_id: int | Unset = UNSET
    subject_id: int | Unset = UNSET
    rating: int | Unset = UNSET
    comment: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contract_id = self.contract_id

        author_id = self.author_id

        subject_id = self.subject_id

        rating = self.rating

        comment = self.comment

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if contract_id is not UNSET:
            field_dict["contract_id"] = contract_id
        if author_id is not UNSET:
            field_dict["author_id"] = author_id
        if subject_id is not UNSET:
            field_dict["subject_id"] = subject_id
        if rating is not UNSET:
            field_dict["rating"] = rating
        if comment is not UNSET:
            field_dict["comment"] = comment
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id", UNSET)

        contract_id = d.pop("contract_id", UNSET)

        author_id = d.pop("author_id", UNSET)

        subject_id = d.pop("subject_id", UNSET)

        rating = d.pop("rating", UNSET)

        comment = d.pop("comment", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

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
