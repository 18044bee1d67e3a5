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
        id (int | Unset):
        contract_id (int | Unset):
        title (str | Unset):
        description (str | Unset):
        amount (int | Unset):
        currency (str | Unset):
        status (MilestoneStatus | Unset):
        due_date (datetime.date | None | Unset):
        submissions (list[Submission] | Unset):
        auto_release_at (datetime.datetime | None | Unset):
        created_at (datetime.datetime | Unset):
        payment (PaymentStatus | Unset):
    """

    id: int | Unset = UNSET
    contract_id: int | Unset = UNSET
    title: str | Unset = UNSET
    description: str | Unset = UNSET
    amount: int | Unset = UNSET
    currency: str | Unset = UNSET
    status: MilestoneStatus | Unset = UNSET
    due_date: datetime.date | None | Unset = UNSET
    submissions: list[Submission] | Unset = UNSET
    auto_release_at: datetime.datetime | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    payment: PaymentStatus | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contract_id = self.contract_id

        title = self.title

        description = self.description

        amount = self.amount

        currency = self.currency

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        due_date: None | str | Unset
        if isinstance(self.due_date, Unset):
            due_date = UNSET
        elif isinstance(self.due_date, datetime.date):
            due_date = self.due_date.isoformat()
        else:
            due_date = self.due_date

        submissions: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.submissions, Unset):
            submissions = []
            for submissions_item_data in self.submissions:
                submissions_item = submissions_item_data.to_dict()
                submissions.append(submissions_item)

        auto_release_at: None | str | Unset
        if isinstance(self.auto_release_at, Unset):
            auto_release_at = UNSET
        elif isinstance(self.auto_release_at, datetime.datetime):
            auto_release_at = self.auto_release_at.isoformat()
        else:
            auto_release_at = self.auto_release_at

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        payment: dict[str, Any] | Unset = UNSET
        if not isinstance(self.payment, Unset):
            payment = self.payment.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if contract_id is not UNSET:
            field_dict["contract_id"] = contract_id
        if title is not UNSET:
            field_dict["title"] = title
        if description is not UNSET:
            field_dict["description"] = description
        if amount is not UNSET:
            field_dict["amount"] = amount
        if currency is not UNSET:
            field_dict["currency"] = currency
        if status is not UNSET:
            field_dict["status"] = status
        if due_date is not UNSET:
            field_dict["due_date"] = due_date
        if submissions is not UNSET:
            field_dict["submissions"] = submissions
        if auto_release_at is not UNSET:
            field_dict["auto_release_at"] = auto_release_at
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if payment is not UNSET:
            field_dict["payment"] = payment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_status import PaymentStatus  # noqa: PLC0415
        from ..models.submission import Submission  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        contract_id = d.pop("contract_id", UNSET)

        title = d.pop("title", UNSET)

        description = d.pop("description", UNSET)

        amount = d.pop("amount", UNSET)

        currency = d.pop("currency", UNSET)

        _status = d.pop("status", UNSET)
        status: MilestoneStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_milestone_status(_status)

        def _parse_due_date(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                due_date_type_0 = datetime.date.fromisoformat(data)

                return due_date_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        due_date = _parse_due_date(d.pop("due_date", UNSET))

        _submissions = d.pop("submissions", UNSET)
        submissions: list[Submission] | Unset = UNSET
        if _submissions is not UNSET:
            submissions = []
            for submissions_item_data in _submissions:
                submissions_item = Submission.from_dict(submissions_item_data)

                submissions.append(submissions_item)

        def _parse_auto_release_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                auto_release_at_type_0 = datetime.datetime.fromisoformat(data)

                return auto_release_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        auto_release_at = _parse_auto_release_at(d.pop("auto_release_at", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

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
