from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.bid_status import BidStatus, check_bid_status

if TYPE_CHECKING:
    from ..models.bid_milestone import BidMilestone
    from ..models.user_ref import UserRef


T = TypeVar("T", bound="Bid")


@_attrs_define
class Bid:
    """
    Attributes:
        id (int):
        job_id (int):
        freelancer (UserRef):
        amount (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        currency (str):
        delivery_days (int):
        cover_letter (str):
        milestones (list[BidMilestone]):
        status (BidStatus):
        created_at (datetime.datetime):
    """

    id: int
    job_id: int
    freelancer: UserRef
    amount: int
    currency: str
    delivery_days: int
    cover_letter: str
    milestones: list[BidMilestone]
    status: BidStatus
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        job_id = self.job_id

        freelancer = self.freelancer.to_dict()

        amount = self.amount

        currency = self.currency

        delivery_days = self.delivery_days

        cover_letter = self.cover_letter

        milestones = []
        for milestones_item_data in self.milestones:
            milestones_item = milestones_item_data.to_dict()
            milestones.append(milestones_item)

        status: str = self.status

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "job_id": job_id,
                "freelancer": freelancer,
                "amount": amount,
                "currency": currency,
                "delivery_days": delivery_days,
                "cover_letter": cover_letter,
                "milestones": milestones,
                "status": status,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bid_milestone import BidMilestone  # noqa: PLC0415
        from ..models.user_ref import UserRef  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        job_id = d.pop("job_id")

        freelancer = UserRef.from_dict(d.pop("freelancer"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        delivery_days = d.pop("delivery_days")

        cover_letter = d.pop("cover_letter")

        milestones = []
        _milestones = d.pop("milestones")
        for milestones_item_data in _milestones:
            milestones_item = BidMilestone.from_dict(milestones_item_data)

            milestones.append(milestones_item)

        status = check_bid_status(d.pop("status"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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
