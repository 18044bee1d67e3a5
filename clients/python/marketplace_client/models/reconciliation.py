from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.platform_loss import PlatformLoss
    from ..models.reconciliation_difference import ReconciliationDifference


T = TypeVar("T", bound="Reconciliation")


@_attrs_define
class Reconciliation:
    """
    Attributes:
        ok (bool):
        checked (int): Milestones with money on either side.
        differences (list[ReconciliationDifference]):
        losses (list[PlatformLoss]): The platform's booked losses, per currency.
    """

    ok: bool
    checked: int
    differences: list[ReconciliationDifference]
    losses: list[PlatformLoss]

    def to_dict(self) -> dict[str, Any]:
        ok = self.ok

        checked = self.checked

        differences = []
        for differences_item_data in self.differences:
            differences_item = differences_item_data.to_dict()
            differences.append(differences_item)

        losses = []
        for losses_item_data in self.losses:
            losses_item = losses_item_data.to_dict()
            losses.append(losses_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "ok": ok,
                "checked": checked,
                "differences": differences,
                "losses": losses,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.platform_loss import PlatformLoss  # noqa: PLC0415
        from ..models.reconciliation_difference import ReconciliationDifference  # noqa: PLC0415

        d = dict(src_dict)
        ok = d.pop("ok")

        checked = d.pop("checked")

        differences = []
        _differences = d.pop("differences")
        for differences_item_data in _differences:
            differences_item = ReconciliationDifference.from_dict(differences_item_data)

            differences.append(differences_item)

        losses = []
        _losses = d.pop("losses")
        for losses_item_data in _losses:
            losses_item = PlatformLoss.from_dict(losses_item_data)

            losses.append(losses_item)

        reconciliation = cls(
            ok=ok,
            checked=checked,
            differences=differences,
            losses=losses,
        )

        return reconciliation
