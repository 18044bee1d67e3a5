from typing import Literal

GetApiV1AdminUsersStatus = Literal["active", "suspended"]

GET_API_V1_ADMIN_USERS_STATUS_VALUES: set[GetApiV1AdminUsersStatus] = {
    "active",
    "suspended",
}


def check_get_api_v1_admin_users_status(value: str) -> GetApiV1AdminUsersStatus:
    if value in GET_API_V1_ADMIN_USERS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GET_API_V1_ADMIN_USERS_STATUS_VALUES!r}")
