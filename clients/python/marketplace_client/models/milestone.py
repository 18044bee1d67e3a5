from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.milestone_status import MilestoneStatus, check_milestone_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_status import PaymentStatus
    from ..models.submission import Submission


T = TypeVar("T", bound="Milestone")


@_attrs_define
class Milestone:
    """
    Attributes:
        id (int):
        contract_id (int):
        title (str):
        description (str):
        amount (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        currency (str):
        status (MilestoneStatus):
        due_date (datetime.date | None):
        submissions (list[Submission]):
        auto_release_at (datetime.datetime | None): When a submitted milestone is approved if the client does not
            answer; null in every other state.
        created_at (datetime.datetime):
        payment (PaymentStatus | Unset):
    """

    id: int
    contract_id: int
    title: str
    description: str
    amount: int
    currency: str
    status: MilestoneStatus
    due_date: datetime.date | None
    submissions: list[Submission]
    auto_release_at: datetime.datetime | None
    created_at: datetime.datetime
    payment: PaymentStatus | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contract_id = self.contract_id

        title = self.title

        description = self.description

        amount = self.amount

        currency = self.currency

        status: str = self.status

        due_date: None | str
        if isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        submissions = []
        for submissions_item_data in self.submissions:
            submissions_item = submissions_item_data.to_dict()
            submissions.append(submissions_item)

        auto_release_at: None | str
        if isinstance(self.auto_release_at, datetime.datetime):
            auto_release_at = self.auto_release_at.isoformat()
        else:
            auto_release_at = self.auto_release_at

        created_at = self.created_at.isoformat()

        payment: dict[str, Any] | Unset = UNSET
        if not isinstance(self.payment, Unset):
            payment = self.payment.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "contract_id": contract_id,
                "title": title,
                "description": description,
                "amount": amount,
                "currency": currency,
                "status": status,
                "due_date": due_date,
                "submissions": submissions,
                "auto_release_at": auto_release_at,
                "created_at": created_at,
            }
        )
        if payment is not UNSET:
            field_dict["payment"] = payment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_status import PaymentStatus  # noqa: PLC0415
        from ..models.submission import Submission  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        contract_id = d.pop("contract_id")

        title = d.pop("title")

        description = d.pop("description")

        amount = d.pop("amount")

        currency = d.pop("currency")

        status = check_milestone_status(d.pop("status"))

        def _parse_due_date(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.date.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        due_date = _parse_due_date(d.pop("due_date"))

        submissions = []
        _submissions = d.pop("submissions")
        for submissions_item_data in _submissions:
            submissions_item = Submission.from_dict(submissions_item_data)

            submissions.append(submissions_item)

        def _parse_auto_release_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                auto_release_at_type_0 = datetime.datetime.fromisoformat(data)

                return auto_release_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        auto_release_at = _parse_auto_release_at(d.pop("auto_release_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        _payment = d.pop("payment", UNSET)
        payment: PaymentStatus | Unset
        if isinstance(_payment, Unset):
            payment = UNSET
        else:
            payment = PaymentStatus.from_dict(_payment)

        milestone = cls(
            id=id,
            contract_id=contract_id,
            title=title,
            description=description,
            amount=amount,
            currency=currency,
            status=status,
            due_date=due_date,
            submissions=submissions,
            auto_release_at=auto_release_at,
            created_at=created_at,
            payment=payment,
        )

        return milestone
