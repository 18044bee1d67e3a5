from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.bid_status import BidStatus, check_bid_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bid_milestone import BidMilestone
    from ..models.user_ref import UserRef


T = TypeVar("T", bound="Bid")


@_attrs_define
class Bid:
    """
    Attributes:
        id (int | Unset):
        job_id (int | Unset):
        freelancer (UserRef | Unset):
        amount (int | Unset):
        currency (str | Unset):
        delivery_days (int | Unset):
        cover_letter (str | Unset):
        milestones (list[BidMilestone] | Unset):
        status (BidStatus | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    job_id: int | Unset = UNSET
    freelancer: UserRef | Unset = UNSET
    amount: int | Unset = UNSET
    currency: str | Unset = UNSET
    delivery_days: int | Unset = UNSET
    cover_letter: str | Unset = UNSET
    milestones: list[BidMilestone] | Unset = UNSET
    status: BidStatus | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        job_id = self.job_id

        freelancer: dict[str, Any] | Unset = UNSET
        if not isinstance(self.freelancer, Unset):
            freelancer = self.freelancer.to_dict()

        amount = self.amount

        currency = self.currency

        delivery_days = self.delivery_days

        cover_letter = self.cover_letter

        milestones: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.milestones, Unset):
            milestones = []
            for milestones_item_data in self.milestones:
                milestones_item = milestones_item_data.to_dict()
                milestones.append(milestones_item)

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if freelancer is not UNSET:
            field_dict["freelancer"] = freelancer
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if delivery_days is not UNSET:
            field_dict["delivery_days"] = delivery_days
        if cover_letter is not UNSET:
            field_dict["cover_letter"] = cover_letter
        if milestones is not UNSET:
            field_dict["milestones"] = milestones
        if status is not UNSET:
            field_dict["status"] = status
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bid_milestone import BidMilestone  # noqa: PLC0415
        from ..models.user_ref import UserRef  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        job_id = d.pop("job_id", UNSET)

        _freelancer = d.pop("freelancer", UNSET)
        freelancer: UserRef | Unset
        if isinstance(_freelancer, Unset):
            freelancer = UNSET
        else:
            freelancer = UserRef.from_dict(_freelancer)

        amount = d.pop("amount", UNSET)

        currency = d.pop("currency", UNSET)

        delivery_days = d.pop("delivery_days", UNSET)

        cover_letter = d.pop("cover_letter", UNSET)

        _milestones = d.pop("milestones", UNSET)
        milestones: list[BidMilestone] | Unset = UNSET
        if _milestones is not UNSET:
            milestones = []
            for milestones_item_data in _milestones:
                milestones_item = BidMilestone.from_dict(milestones_item_data)

                milestones.append(milestones_item)

        _status = d.pop("status", UNSET)
        status: BidStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_bid_status(_status)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        bid = cls(
            id=id,
            job_id=job_id,
            freelancer=freelancer,
            amount=amount,
            currency=currency,
            delivery_days=delivery_days,
            cover_letter=cover_letter,
            milestones=milestones,
            status=status,
            created_at=created_at,
        )

        return bid
