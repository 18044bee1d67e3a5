from typing import Literal

RegisterRole = Literal["client", "freelancer"]

REGISTER_ROLE_VALUES: set[RegisterRole] = {
    "client",
    "freelancer",
}


def check_register_role(value: str) -> RegisterRole:
    if value in REGISTER_ROLE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REGISTER_ROLE_VALUES!r}")
