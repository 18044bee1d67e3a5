from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.source_file_content_type import SourceFileContentType, check_source_file_content_type

T = TypeVar("T", bound="SourceFile")


@_attrs_define
class SourceFile:
    """
    Attributes:
        id (int):
        job_id (int):
        name (str): The uploaded file's name.
        content_type (SourceFileContentType): What the bytes are, as sniffed.
        size (int): In bytes.
        sha256 (str): The SHA-256 of the bytes, in hex; the content's ETag.
        sample (bool):
        created_at (datetime.datetime):
    """

    id: int
    job_id: int
    name: str
    content_type: SourceFileContentType
    size: int
    sha256: str
    sample: bool
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        job_id = self.job_id

        name = self.name

        content_type: str = self.content_type

        size = self.size

        sha256 = self.sha256

        sample = self.sample

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "job_id": job_id,
                "name": name,
                "content_type": content_type,
                "size": size,
                "sha256": sha256,
                "sample": sample,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        job_id = d.pop("job_id")

        name = d.pop("name")

        content_type = check_source_file_content_type(d.pop("content_type"))

        size = d.pop("size")

        sha256 = d.pop("sha256")

        sample = d.pop("sample")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        source_file = cls(
            id=id,
            job_id=job_id,
            name=name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            sample=sample,
            created_at=created_at,
        )

        return source_file
