from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.register_role import RegisterRole, check_register_role

T = TypeVar("T", bound="Register")


@_attrs_define
class Register:
    """
    Attributes:
        email (str):
        password (str):
        role (RegisterRole):
        name (str):
        country (str):
    """

    email: str
    password: str
    role: RegisterRole
    name: str
    country: str

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        password = self.password

        role: str = self.role

        name = self.name

        country = self.country

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "password": password,
                "role": role,
                "name": name,
                "country": country,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        password = d.pop("password")

        role = check_register_role(d.pop("role"))

        name = d.pop("name")

        country = d.pop("country")

        register = cls(
            email=email,
            password=password,
            role=role,
            name=name,
            country=country,
        )

        return register
