from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.contract_status import ContractStatus, check_contract_status

if TYPE_CHECKING:
    from ..models.milestone import Milestone
    from ..models.user_ref import UserRef


T = TypeVar("T", bound="Contract")


@_attrs_define
class Contract:
    """
    Attributes:
        id (int):
        job_id (int):
        bid_id (int):
        client (UserRef):
        freelancer (UserRef):
        amount (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        currency (str):
        fee_bps (int):
        min_accuracy (float | None): The job's quality bar when the contract was made; or null.
        status (ContractStatus):
        milestones (list[Milestone]):
        created_at (datetime.datetime):
    """

    id: int
    job_id: int
    bid_id: int
    client: UserRef
    freelancer: UserRef
    amount: int
    currency: str
    fee_bps: int
    min_accuracy: float | None
    status: ContractStatus
    milestones: list[Milestone]
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        job_id = self.job_id

        bid_id = self.bid_id

        client = self.client.to_dict()

        freelancer = self.freelancer.to_dict()

        amount = self.amount

        currency = self.currency

        fee_bps = self.fee_bps

        min_accuracy: float | None
        min_accuracy = self.min_accuracy

        status: str = self.status

        milestones = []
        for milestones_item_data in self.milestones:
            milestones_item = milestones_item_data.to_dict()
            milestones.append(milestones_item)

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "job_id": job_id,
                "bid_id": bid_id,
                "client": client,
                "freelancer": freelancer,
                "amount": amount,
                "currency": currency,
                "fee_bps": fee_bps,
                "min_accuracy": min_accuracy,
                "status": status,
                "milestones": milestones,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.milestone import Milestone  # noqa: PLC0415
        from ..models.user_ref import UserRef  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        job_id = d.pop("job_id")

        bid_id = d.pop("bid_id")

        client = UserRef.from_dict(d.pop("client"))

        freelancer = UserRef.from_dict(d.pop("freelancer"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        fee_bps = d.pop("fee_bps")

        def _parse_min_accuracy(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        min_accuracy = _parse_min_accuracy(d.pop("min_accuracy"))

        status = check_contract_status(d.pop("status"))

        milestones = []
        _milestones = d.pop("milestones")
        for milestones_item_data in _milestones:
            milestones_item = Milestone.from_dict(milestones_item_data)

            milestones.append(milestones_item)

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        contract = cls(
            id=id,
            job_id=job_id,
            bid_id=bid_id,
            client=client,
            freelancer=freelancer,
            amount=amount,
            currency=currency,
            fee_bps=fee_bps,
            min_accuracy=min_accuracy,
            status=status,
            milestones=milestones,
            created_at=created_at,
        )

        return contract
