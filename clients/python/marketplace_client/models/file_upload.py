from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, TypeVar

from attrs import define as _attrs_define

from .. import types
from ..types import UNSET, File, Unset

T = TypeVar("T", bound="FileUpload")


@_attrs_define
class FileUpload:
    """
    Attributes:
        file (File): The file. Its kind is told from its bytes (not its name or Content-Type): PDF, PNG, JPEG, TIFF,
            WebP, XLSX, or UTF-8 text without control characters (CSV when it reads as a table of at least two columns);
            anything else is a 415. At most `MAX_UPLOAD_BYTES` (25 MiB by default): 413 past it. Its filename is kept as its
            `name`.
        sample (bool | Unset): `true`: shown to every signed-in user while the job is open, so bidders can judge the
            work. `false` (default): only the job's client, the freelancer of its contract and admins see it. Default:
            False.
    """

    file: File
    sample: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        file = self.file.to_tuple()

        sample = self.sample

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "file": file,
            }
        )
        if sample is not UNSET:
            field_dict["sample"] = sample

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("file", self.file.to_tuple()))

        if not isinstance(self.sample, Unset):
            files.append(("sample", (None, str(self.sample).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        file = File(payload=BytesIO(d.pop("file")))

        sample = d.pop("sample", UNSET)

        file_upload = cls(
            file=file,
            sample=sample,
        )

        return file_upload
