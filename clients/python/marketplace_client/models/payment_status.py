from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PaymentStatus")


@_attrs_define
class PaymentStatus:
    """
    Attributes:
        client_secret (str):
        status (str): The PaymentIntent's status.
    """

    client_secret: str
    status: str

    def to_dict(self) -> dict[str, Any]:
        client_secret = self.client_secret

        status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "client_secret": client_secret,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_secret = d.pop("client_secret")

        status = d.pop("status")

        payment_status = cls(
            client_secret=client_secret,
            status=status,
        )

        return payment_status
