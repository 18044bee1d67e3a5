from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.person import Person


T = TypeVar("T", bound="DisputeMessage")


@_attrs_define
class DisputeMessage:
    """
    Attributes:
        id (int):
        author (Person):
        body (str):
        created_at (datetime.datetime):
    """

    id: int
    author: Person
    body: str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        author = self.author.to_dict()

        body = self.body

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "author": author,
                "body": body,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.person import Person  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        author = Person.from_dict(d.pop("author"))

        body = d.pop("body")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        dispute_message = cls(
            id=id,
            author=author,
            body=body,
            created_at=created_at,
        )

        return dispute_message
