from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.job_status import JobStatus, check_job_status

if TYPE_CHECKING:
    from ..models.quality import Quality
    from ..models.record_schema import RecordSchema
    from ..models.user_ref import UserRef


T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """
    Attributes:
        id (int):
        title (str):
        description (str):
        skills (list[str]):
        budget (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        currency (str):
        status (JobStatus):
        client (UserRef):
        bid_count (int):
        deadline (datetime.date | None):
        schema (None | RecordSchema): The record schema deliveries follow, normalised; or null.
        quality (None | Quality):
        created_at (datetime.datetime):
    """

    id: int
    title: str
    description: str
    skills: list[str]
    budget: int
    currency: str
    status: JobStatus
    client: UserRef
    bid_count: int
    deadline: datetime.date | None
    schema: None | RecordSchema
    quality: None | Quality
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.quality import Quality  # noqa: PLC0415
        from ..models.record_schema import RecordSchema  # noqa: PLC0415

        id = self.id

        title = self.title

        description = self.description

        skills = self.skills

        budget = self.budget

        currency = self.currency

        status: str = self.status

        client = self.client.to_dict()

        bid_count = self.bid_count

        deadline: None | str
        if isinstance(self.deadline, datetime.date):
            deadline = self.deadline.isoformat()
        else:
            deadline = self.deadline

        schema: dict[str, Any] | None
        if isinstance(self.schema, RecordSchema):
            schema = self.schema.to_dict()
        else:
            schema = self.schema

        quality: dict[str, Any] | None
        if isinstance(self.quality, Quality):
            quality = self.quality.to_dict()
        else:
            quality = self.quality

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "title": title,
                "description": description,
                "skills": skills,
                "budget": budget,
                "currency": currency,
                "status": status,
                "client": client,
                "bid_count": bid_count,
                "deadline": deadline,
                "schema": schema,
                "quality": quality,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.quality import Quality  # noqa: PLC0415
        from ..models.record_schema import RecordSchema  # noqa: PLC0415
        from ..models.user_ref import UserRef  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        title = d.pop("title")

        description = d.pop("description")

        skills = cast(list[str], d.pop("skills"))

        budget = d.pop("budget")

        currency = d.pop("currency")

        status = check_job_status(d.pop("status"))

        client = UserRef.from_dict(d.pop("client"))

        bid_count = d.pop("bid_count")

        def _parse_deadline(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deadline_type_0 = datetime.date.fromisoformat(data)

                return deadline_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        deadline = _parse_deadline(d.pop("deadline"))

        def _parse_schema(data: object) -> None | RecordSchema:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schema_type_0 = RecordSchema.from_dict(data)

                return schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecordSchema, data)

        schema = _parse_schema(d.pop("schema"))

        def _parse_quality(data: object) -> None | Quality:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                quality_type_0 = Quality.from_dict(data)

                return quality_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Quality, data)

        quality = _parse_quality(d.pop("quality"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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
            schema=schema,
            quality=quality,
            created_at=created_at,
        )

        return job
