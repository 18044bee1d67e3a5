from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.gold_problem_errors import GoldProblemErrors
    from ..models.report import Report


T = TypeVar("T", bound="GoldProblem")


@_attrs_define
class GoldProblem:
    """
    Attributes:
        type_ (str):
        title (str):
        status (int):
        detail (str):
        errors (GoldProblemErrors | Unset): Field errors, when the request itself was invalid.
        report (Report | Unset):
    """

    type_: str
    title: str
    status: int
    detail: str
    errors: GoldProblemErrors | Unset = UNSET
    report: Report | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        errors: dict[str, Any] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = self.errors.to_dict()

        report: dict[str, Any] | Unset = UNSET
        if not isinstance(self.report, Unset):
            report = self.report.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "title": title,
                "status": status,
                "detail": detail,
            }
        )
        if errors is not UNSET:
            field_dict["errors"] = errors
        if report is not UNSET:
            field_dict["report"] = report

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gold_problem_errors import GoldProblemErrors  # noqa: PLC0415
        from ..models.report import Report  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        detail = d.pop("detail")

        _errors = d.pop("errors", UNSET)
        errors: GoldProblemErrors | Unset
        if isinstance(_errors, Unset):
            errors = UNSET
        else:
            errors = GoldProblemErrors.from_dict(_errors)

        _report = d.pop("report", UNSET)
        report: Report | Unset
        if isinstance(_report, Unset):
            report = UNSET
        else:
            report = Report.from_dict(_report)

        gold_problem = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            errors=errors,
            report=report,
        )

        return gold_problem
