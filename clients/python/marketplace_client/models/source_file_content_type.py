from typing import Literal

SourceFileContentType = Literal[
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/webp",
    "text/csv",
    "text/plain",
]

SOURCE_FILE_CONTENT_TYPE_VALUES: set[SourceFileContentType] = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/webp",
    "text/csv",
    "text/plain",
}


def check_source_file_content_type(value: str) -> SourceFileContentType:
    if value in SOURCE_FILE_CONTENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {SOURCE_FILE_CONTENT_TYPE_VALUES!r}")
