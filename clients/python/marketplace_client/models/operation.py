from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.operation_status import OperationStatus, check_operation_status

T = TypeVar("T", bound="Operation")


@_attrs_define
class Operation:
    """
    Attributes:
        id (int):
        milestone_id (int):
        kind (str): `charge`, `refund` or `transfer`
        action (str): what it was made for: `fund`, `approve`…
        status (OperationStatus): `pending`: the provider's answer is not known yet; `settled`: answered and booked;
            `failed`: refused, nothing moved
        amount (int): Money: an integer in minor units of `currency` (12500 with USD is 125.00 US dollars), never a
            float.
        currency (str):
        idempotency_key (str):
        provider_id (None | str):
        refusal (None | str):
        created_at (datetime.datetime):
        settled_at (datetime.datetime | None):
    """

    id: int
    milestone_id: int
    kind: str
    action: str
    status: OperationStatus
    amount: int
    currency: str
    idempotency_key: str
    provider_id: None | str
    refusal: None | str
    created_at: datetime.datetime
    settled_at: datetime.datetime | None

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        milestone_id = self.milestone_id

        kind = self.kind

        action = self.action

        status: str = self.status

        amount = self.amount

        currency = self.currency

        idempotency_key = self.idempotency_key

        provider_id: None | str
        provider_id = self.provider_id

        refusal: None | str
        refusal = self.refusal

        created_at = self.created_at.isoformat()

        settled_at: None | str
        if isinstance(self.settled_at, datetime.datetime):
            settled_at = self.settled_at.isoformat()
        else:
            settled_at = self.settled_at

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "milestone_id": milestone_id,
                "kind": kind,
                "action": action,
                "status": status,
                "amount": amount,
                "currency": currency,
                "idempotency_key": idempotency_key,
                "provider_id": provider_id,
                "refusal": refusal,
                "created_at": created_at,
                "settled_at": settled_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        milestone_id = d.pop("milestone_id")

        kind = d.pop("kind")

        action = d.pop("action")

        status = check_operation_status(d.pop("status"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        idempotency_key = d.pop("idempotency_key")

        def _parse_provider_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        provider_id = _parse_provider_id(d.pop("provider_id"))

        def _parse_refusal(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        refusal = _parse_refusal(d.pop("refusal"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_settled_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                settled_at_type_0 = datetime.datetime.fromisoformat(data)

                return settled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        settled_at = _parse_settled_at(d.pop("settled_at"))

        operation = cls(
            id=id,
            milestone_id=milestone_id,
            kind=kind,
            action=action,
            status=status,
            amount=amount,
            currency=currency,
            idempotency_key=idempotency_key,
            provider_id=provider_id,
            refusal=refusal,
            created_at=created_at,
            settled_at=settled_at,
        )

        return operation
