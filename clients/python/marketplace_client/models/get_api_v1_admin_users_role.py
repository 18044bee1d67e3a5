from typing import Literal

GetApiV1AdminUsersRole = Literal["admin", "client", "freelancer"]

GET_API_V1_ADMIN_USERS_ROLE_VALUES: set[GetApiV1AdminUsersRole] = {
    "admin",
    "client",
    "freelancer",
}


def check_get_api_v1_admin_users_role(value: str) -> GetApiV1AdminUsersRole:
    if value in GET_API_V1_ADMIN_USERS_ROLE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_ADMIN_USERS_ROLE_VALUES!r}")
