from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PayoutAccount")


@_attrs_define
class PayoutAccount:
    """
    Attributes:
        onboarding_url (None | str | Unset):
        payouts_enabled (bool | Unset):
    """

    onboarding_url: None | str | Unset = UNSET
    payouts_enabled: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        onboarding_url: None | str | Unset
        if isinstance(self.onboarding_url, Unset):
            onboarding_url = UNSET
        else:
            onboarding_url = self.onboarding_url

        payouts_enabled = self.payouts_enabled

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if onboarding_url is not UNSET:
            field_dict["onboarding_url"] = onboarding_url
        if payouts_enabled is not UNSET:
            field_dict["payouts_enabled"] = payouts_enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_onboarding_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        onboarding_url = _parse_onboarding_url(d.pop("onboarding_url", UNSET))

        payouts_enabled = d.pop("payouts_enabled", UNSET)

        payout_account = cls(
            onboarding_url=onboarding_url,
            payouts_enabled=payouts_enabled,
        )

        return payout_account
