from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.contract_status import ContractStatus, check_contract_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.milestone import Milestone
    from ..models.user_ref import UserRef


T = TypeVar("T", bound="Contract")


@_attrs_define
class Contract:
    """
    Attributes:
        id (int | Unset):
        job_id (int | Unset):
        bid_id (int | Unset):
        client (UserRef | Unset):
        freelancer (UserRef | Unset):
        amount (int | Unset):
        currency (str | Unset):
        fee_bps (int | Unset):
        status (ContractStatus | Unset):
        milestones (list[Milestone] | Unset):
        created_at (datetime.datetime | Unset):
    """

    id: int | Unset = UNSET
    job_id: int | Unset = UNSET
    bid_id: int | Unset = UNSET
    client: UserRef | Unset = UNSET
    freelancer: UserRef | Unset = UNSET
    amount: int | Unset = UNSET
    currency: str | Unset = UNSET
    fee_bps: int | Unset = UNSET
    status: ContractStatus | Unset = UNSET
    milestones: list[Milestone] | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        job_id = self.job_id

        bid_id = self.bid_id

        client: dict[str, Any] | Unset = UNSET
        if not isinstance(self.client, Unset):
            client = self.client.to_dict()

        freelancer: dict[str, Any] | Unset = UNSET
        if not isinstance(self.freelancer, Unset):
            freelancer = self.freelancer.to_dict()

        amount = self.amount

        currency = self.currency

        fee_bps = self.fee_bps

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        milestones: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.milestones, Unset):
            milestones = []
            for milestones_item_data in self.milestones:
                milestones_item = milestones_item_data.to_dict()
                milestones.append(milestones_item)

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if bid_id is not UNSET:
            field_dict["bid_id"] = bid_id
        if client is not UNSET:
            field_dict["client"] = client
        if freelancer is not UNSET:
            field_dict["freelancer"] = freelancer
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if fee_bps is not UNSET:
            field_dict["fee_bps"] = fee_bps
        if status is not UNSET:
            field_dict["status"] = status
        if milestones is not UNSET:
            field_dict["milestones"] = milestones
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.milestone import Milestone  # noqa: PLC0415
        from ..models.user_ref import UserRef  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        job_id = d.pop("job_id", UNSET)

        bid_id = d.pop("bid_id", UNSET)

        _client = d.pop("client", UNSET)
        client: UserRef | Unset
        if isinstance(_client, Unset):
            client = UNSET
        else:
            client = UserRef.from_dict(_client)

        _freelancer = d.pop("freelancer", UNSET)
        freelancer: UserRef | Unset
        if isinstance(_freelancer, Unset):
            freelancer = UNSET
        else:
            freelancer = UserRef.from_dict(_freelancer)

        amount = d.pop("amount", UNSET)

        currency = d.pop("currency", UNSET)

        fee_bps = d.pop("fee_bps", UNSET)

        _status = d.pop("status", UNSET)
        status: ContractStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_contract_status(_status)

        _milestones = d.pop("milestones", UNSET)
        milestones: list[Milestone] | Unset = UNSET
        if _milestones is not UNSET:
            milestones = []
            for milestones_item_data in _milestones:
                milestones_item = Milestone.from_dict(milestones_item_data)

                milestones.append(milestones_item)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        contract = cls(
            id=id,
            job_id=job_id,
            bid_id=bid_id,
            client=client,
            freelancer=freelancer,
            amount=amount,
            currency=currency,
            fee_bps=fee_bps,
            status=status,
            milestones=milestones,
            created_at=created_at,
        )

        return contract
