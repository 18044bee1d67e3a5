from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.payout_country import PayoutCountry


T = TypeVar("T", bound="PayoutCountries")


@_attrs_define
class PayoutCountries:
    """
    Attributes:
        platform_country (str):
        countries (list[PayoutCountry]): Where freelancers can be paid out, by country code.
    """

    platform_country: str
    countries: list[PayoutCountry]

    def to_dict(self) -> dict[str, Any]:
        platform_country = self.platform_country

        countries = []
        for countries_item_data in self.countries:
            countries_item = countries_item_data.to_dict()
            countries.append(countries_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "platform_country": platform_country,
                "countries": countries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payout_country import PayoutCountry  # noqa: PLC0415

        d = dict(src_dict)
        platform_country = d.pop("platform_country")

        countries = []
        _countries = d.pop("countries")
        for countries_item_data in _countries:
            countries_item = PayoutCountry.from_dict(countries_item_data)

            countries.append(countries_item)

        payout_countries = cls(
            platform_country=platform_country,
            countries=countries,
        )

        return payout_countries
