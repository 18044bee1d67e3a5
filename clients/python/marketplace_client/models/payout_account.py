from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="PayoutAccount")


@_attrs_define
class PayoutAccount:
    """
    Attributes:
        onboarding_url (None | str):
        payouts_enabled (bool):
    """

    onboarding_url: None | str
    payouts_enabled: bool

    def to_dict(self) -> dict[str, Any]:
        onboarding_url: None | str
        onboarding_url = self.onboarding_url

        payouts_enabled = self.payouts_enabled

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "onboarding_url": onboarding_url,
                "payouts_enabled": payouts_enabled,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_onboarding_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        onboarding_url = _parse_onboarding_url(d.pop("onboarding_url"))

        payouts_enabled = d.pop("payouts_enabled")

        payout_account = cls(
            onboarding_url=onboarding_url,
            payouts_enabled=payouts_enabled,
        )

        return payout_account
