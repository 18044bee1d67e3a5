from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentStatus")


@_attrs_define
class PaymentStatus:
    """
    Attributes:
        client_secret (str | Unset):
        status (str | Unset): The PaymentIntent's status.
    """

    client_secret: str | Unset = UNSET
    status: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_secret = self.client_secret

        status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_secret = d.pop("client_secret", UNSET)

        status = d.pop("status", UNSET)

        payment_status = cls(
            client_secret=client_secret,
            status=status,
        )

        return payment_status
