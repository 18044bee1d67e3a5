from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.gold_report import GoldReport
    from ..models.report_error import ReportError


T = TypeVar("T", bound="Report")


@_attrs_define
class Report:
    """
    Attributes:
        rows (int): Data rows in the delivery (blank rows left out).
        valid (int): Rows without any error.
        error_count (int): Every error found.
        errors (list[ReportError]): The first 100 errors: those about the whole delivery first, then rows in order.
        gold (GoldReport | None): Accuracy on the job's gold records (known answers), measured only on a delivery
            without errors; null when none of their keys was delivered. The contract's client and admins see the counts and
            the differences; the freelancer only `accuracy`, to two decimals.
        passed (bool): No errors and, when the contract has a `min_accuracy` and `gold` is not null, an exact accuracy
            at least that.
    """

    rows: int
    valid: int
    error_count: int
    errors: list[ReportError]
    gold: GoldReport | None
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        from ..models.gold_report import GoldReport  # noqa: PLC0415

        rows = self.rows

        valid = self.valid

        error_count = self.error_count

        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        gold: dict[str, Any] | None
        if isinstance(self.gold, GoldReport):
            gold = self.gold.to_dict()
        else:
            gold = self.gold

        passed = self.passed

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "rows": rows,
                "valid": valid,
                "error_count": error_count,
                "errors": errors,
                "gold": gold,
                "passed": passed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.gold_report import GoldReport  # noqa: PLC0415
        from ..models.report_error import ReportError  # noqa: PLC0415

        d = dict(src_dict)
        rows = d.pop("rows")

        valid = d.pop("valid")

        error_count = d.pop("error_count")

        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ReportError.from_dict(errors_item_data)

            errors.append(errors_item)

        def _parse_gold(data: object) -> GoldReport | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                gold_type_0 = GoldReport.from_dict(data)

                return gold_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(GoldReport | None, data)

        gold = _parse_gold(d.pop("gold"))

        passed = d.pop("passed")

        report = cls(
            rows=rows,
            valid=valid,
            error_count=error_count,
            errors=errors,
            gold=gold,
            passed=passed,
        )

        return report
