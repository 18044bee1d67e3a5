from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.changes_requested import ChangesRequested
    from ..models.report import Report


T = TypeVar("T", bound="Submission")


@_attrs_define
class Submission:
    """
    Attributes:
        id (int):
        note (str):
        report (None | Report): The check of the delivered records; null for a note only.
        changes_requested (ChangesRequested | None): The client's request for changes to this delivery, if any.
        created_at (datetime.datetime):
    """

    id: int
    note: str
    report: None | Report
    changes_requested: ChangesRequested | None
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.changes_requested import ChangesRequested  # noqa: PLC0415
        from ..models.report import Report  # noqa: PLC0415

        id = self.id

        note = self.note

        report: dict[str, Any] | None
        if isinstance(self.report, Report):
            report = self.report.to_dict()
        else:
            report = self.report

        changes_requested: dict[str, Any] | None
        if isinstance(self.changes_requested, ChangesRequested):
            changes_requested = self.changes_requested.to_dict()
        else:
            changes_requested = self.changes_requested

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "note": note,
                "report": report,
                "changes_requested": changes_requested,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.changes_requested import ChangesRequested  # noqa: PLC0415
        from ..models.report import Report  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        note = d.pop("note")

        def _parse_report(data: object) -> None | Report:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                report_type_0 = Report.from_dict(data)

                return report_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Report, data)

        report = _parse_report(d.pop("report"))

        def _parse_changes_requested(data: object) -> ChangesRequested | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                changes_requested_type_0 = ChangesRequested.from_dict(data)

                return changes_requested_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChangesRequested | None, data)

        changes_requested = _parse_changes_requested(d.pop("changes_requested"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        submission = cls(
            id=id,
            note=note,
            report=report,
            changes_requested=changes_requested,
            created_at=created_at,
        )

        return submission
