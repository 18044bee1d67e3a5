from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.author import Author


T = TypeVar("T", bound="Message")


@_attrs_define
class Message:
    """
    Attributes:
        id (int | Unset):
        author (Author | Unset):
        body (str | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    author: Author | Unset = UNSET
    body: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        author: dict[str, Any] | Unset = UNSET
        if not isinstance(self.author, Unset):
            author = self.author.to_dict()

        body = self.body

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if author is not UNSET:
            field_dict["author"] = author
        if body is not UNSET:
            field_dict["body"] = body
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.author import Author  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        _author = d.pop("author", UNSET)
        author: Author | Unset
        if isinstance(_author, Unset):
            author = UNSET
        else:
            author = Author.from_dict(_author)

        body = d.pop("body", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        message = cls(
            id=id,
            author=author,
            body=body,
            created_at=created_at,
        )

        return message
