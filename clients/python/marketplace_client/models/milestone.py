from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.milestone_status import MilestoneStatus, check_milestone_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_status import PaymentStatus
    from ..models.record_counts import RecordCounts
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
        unit_price (int | None): Paid per accepted record; null for a fixed price. Money: an integer in minor units of
            `currency` (12500 with USD is 125.00 US dollars), never a float.
        max_records (int | None): Records the amount pays for; null for a fixed price.
        records (RecordCounts):
        held (int): Kept in escrow for rejected rows until they are settled. Money: an integer in minor units of
            `currency` (12500 with USD is 125.00 US dollars), never a float.
        status (MilestoneStatus):
        due_date (datetime.date | None):
        submissions (list[Submission]):
        auto_release_at (datetime.datetime | None): When a submitted milestone is approved if the client does not
            answer; null in every other state.
        rejection_due_at (datetime.datetime | None): When held money goes back to the client if the freelancer neither
            accepts the rejection nor disputes it; null when nothing is held.
        created_at (datetime.datetime):
        payment (PaymentStatus | Unset):
    """

    id: int
    contract_id: int
    title: str
    description: str
    amount: int
    currency: str
    unit_price: int | None
    max_records: int | None
    records: RecordCounts
    held: int
    status: MilestoneStatus
    due_date: datetime.date | None
    submissions: list[Submission]
    auto_release_at: datetime.datetime | None
    rejection_due_at: datetime.datetime | None
    created_at: datetime.datetime
    payment: PaymentStatus | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        contract_id = self.contract_id

        title = self.title

        description = self.description

        amount = self.amount

        currency = self.currency

        unit_price: int | None
        unit_price = self.unit_price

        max_records: int | None
        max_records = self.max_records

        records = self.records.to_dict()

        held = self.held

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

        rejection_due_at: None | str
        if isinstance(self.rejection_due_at, datetime.datetime):
            rejection_due_at = self.rejection_due_at.isoformat()
        else:
            rejection_due_at = self.rejection_due_at

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
                "unit_price": unit_price,
                "max_records": max_records,
                "records": records,
                "held": held,
                "status": status,
                "due_date": due_date,
                "submissions": submissions,
                "auto_release_at": auto_release_at,
                "rejection_due_at": rejection_due_at,
                "created_at": created_at,
            }
        )
        if payment is not UNSET:
            field_dict["payment"] = payment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment_status import PaymentStatus  # noqa: PLC0415
        from ..models.record_counts import RecordCounts  # noqa: PLC0415
        from ..models.submission import Submission  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        contract_id = d.pop("contract_id")

        title = d.pop("title")

        description = d.pop("description")

        amount = d.pop("amount")

        currency = d.pop("currency")

        def _parse_unit_price(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        unit_price = _parse_unit_price(d.pop("unit_price"))

        def _parse_max_records(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        max_records = _parse_max_records(d.pop("max_records"))

        records = RecordCounts.from_dict(d.pop("records"))

        held = d.pop("held")

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

        def _parse_rejection_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                rejection_due_at_type_0 = datetime.datetime.fromisoformat(data)

                return rejection_due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        rejection_due_at = _parse_rejection_due_at(d.pop("rejection_due_at"))

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
            unit_price=unit_price,
            max_records=max_records,
            records=records,
            held=held,
            status=status,
            due_date=due_date,
            submissions=submissions,
            auto_release_at=auto_release_at,
            rejection_due_at=rejection_due_at,
            created_at=created_at,
            payment=payment,
        )

        return milestone
