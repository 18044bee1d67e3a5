from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_status import JobStatus, check_job_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.user_ref import UserRef


T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """
    Attributes:
        id (int | Unset):
        title (str | Unset):
        description (str | Unset):
        skills (list[str] | Unset):
        budget (int | Unset):
        currency (str | Unset):
        status (JobStatus | Unset):
        client (UserRef | Unset):
        bid_count (int | Unset):
        deadline (datetime.date | None | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    title: str | Unset = UNSET
    description: str | Unset = UNSET
    skills: list[str] | Unset = UNSET
    budget: int | Unset = UNSET
    currency: str | Unset = UNSET
    status: JobStatus | Unset = UNSET
    client: UserRef | Unset = UNSET
    bid_count: int | Unset = UNSET
    deadline: datetime.date | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        title = self.title

        description = self.description

        skills: list[str] | Unset = UNSET
        if not isinstance(self.skills, Unset):
            skills = self.skills

        budget = self.budget

        currency = self.currency

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        client: dict[str, Any] | Unset = UNSET
        if not isinstance(self.client, Unset):
            client = self.client.to_dict()

        bid_count = self.bid_count

        deadline: None | str | Unset
        if isinstance(self.deadline, Unset):
            deadline = UNSET
        elif isinstance(self.deadline, datetime.date):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if title is not UNSET:
            field_dict["title"] = title
        if description is not UNSET:
            field_dict["description"] = description
        if skills is not UNSET:
            field_dict["skills"] = skills
        if budget is not UNSET:
            field_dict["budget"] = budget
        if currency is not UNSET:
            field_dict["currency"] = currency
        if status is not UNSET:
            field_dict["status"] = status
        if client is not UNSET:
            field_dict["client"] = client
        if bid_count is not UNSET:
            field_dict["bid_count"] = bid_count
        if deadline is not UNSET:
            field_dict["deadline"] = deadline
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user_ref import UserRef  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        title = d.pop("title", UNSET)

        description = d.pop("description", UNSET)

        skills = cast(list[str], d.pop("skills", UNSET))

        budget = d.pop("budget", UNSET)

        currency = d.pop("currency", UNSET)

        _status = d.pop("status", UNSET)
        status: JobStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_job_status(_status)

        _client = d.pop("client", UNSET)
        client: UserRef | Unset
        if isinstance(_client, Unset):
            client = UNSET
        else:
            client = UserRef.from_dict(_client)

        bid_count = d.pop("bid_count", UNSET)

        def _parse_deadline(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_type_0 = datetime.date.fromisoformat(data)

                return deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        deadline = _parse_deadline(d.pop("deadline", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        job = cls(
            id=id,
            title=title,
            description=description,
            skills=skills,
            budget=budget,
            currency=currency,
            status=status,
            client=client,
            bid_count=bid_count,
            deadline=deadline,
            created_at=created_at,
        )

        return job
