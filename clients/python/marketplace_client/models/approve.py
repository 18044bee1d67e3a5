from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.rejected_row import RejectedRow


T = TypeVar("T", bound="Approve")


@_attrs_define
class Approve:
    """
    Attributes:
        rejected_rows (list[RejectedRow] | Unset): Rows of the latest delivery the client does not accept, each with its
            reason (only on a milestone delivered as records). Their share of the money is held: the milestone is
            `partially_approved` until the freelancer accepts the rejection (refunded to the client), disputes it, or
            `rejection_due_at` passes (refunded).
    """

    rejected_rows: list[RejectedRow] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        rejected_rows: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.rejected_rows, Unset):
            rejected_rows = []
            for rejected_rows_item_data in self.rejected_rows:
                rejected_rows_item = rejected_rows_item_data.to_dict()
                rejected_rows.append(rejected_rows_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if rejected_rows is not UNSET:
            field_dict["rejected_rows"] = rejected_rows

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.rejected_row import RejectedRow  # noqa: PLC0415

        d = dict(src_dict)
        _rejected_rows = d.pop("rejected_rows", UNSET)
        rejected_rows: list[RejectedRow] | Unset = UNSET
        if _rejected_rows is not UNSET:
            rejected_rows = []
            for rejected_rows_item_data in _rejected_rows:
                rejected_rows_item = RejectedRow.from_dict(rejected_rows_item_data)

                rejected_rows.append(rejected_rows_item)

        approve = cls(
            rejected_rows=rejected_rows,
        )

        return approve
