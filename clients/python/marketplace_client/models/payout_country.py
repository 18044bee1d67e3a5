from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="PayoutCountry")


@_attrs_define
class PayoutCountry:
    """
    Attributes:
        country (str): ISO 3166-1 alpha-2.
        currencies (list[str]): The currencies payouts there arrive in (the provider converts); empty when not known.
    """

    country: str
    currencies: list[str]

    def to_dict(self) -> dict[str, Any]:
        country = self.country

        currencies = self.currencies

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "country": country,
                "currencies": currencies,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        country = d.pop("country")

        currencies = cast(list[str], d.pop("currencies"))

        payout_country = cls(
            country=country,
            currencies=currencies,
        )

        return payout_country
