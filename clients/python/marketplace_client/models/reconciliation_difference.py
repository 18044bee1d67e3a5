from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.reconciliation_difference_what import ReconciliationDifferenceWhat, check_reconciliation_difference_what

T = TypeVar("T", bound="ReconciliationDifference")


@_attrs_define
class ReconciliationDifference:
    """
    Attributes:
        milestone_id (int | None): null: money of this installation tied to no milestone.
        what (ReconciliationDifferenceWhat):
        currency (str):
        ledger (int): What the ledger booked, in minor units.
        provider (int): What the payment provider moved, in minor units.
    """

    milestone_id: int | None
    what: ReconciliationDifferenceWhat
    currency: str
    ledger: int
    provider: int

    def to_dict(self) -> dict[str, Any]:
        milestone_id: int | None
        milestone_id = self.milestone_id

        what: str = self.what

        currency = self.currency

        ledger = self.ledger

        provider = self.provider

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "milestone_id": milestone_id,
                "what": what,
                "currency": currency,
                "ledger": ledger,
                "provider": provider,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_milestone_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        milestone_id = _parse_milestone_id(d.pop("milestone_id"))

        what = check_reconciliation_difference_what(d.pop("what"))

        currency = d.pop("currency")

        ledger = d.pop("ledger")

        provider = d.pop("provider")

        reconciliation_difference = cls(
            milestone_id=milestone_id,
            what=what,
            currency=currency,
            ledger=ledger,
            provider=provider,
        )

        return reconciliation_difference
