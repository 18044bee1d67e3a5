from typing import Literal

ListUsersStatus = Literal["active", "suspended"]

LIST_USERS_STATUS_VALUES: set[ListUsersStatus] = {
    "active",
    "suspended",
}


def check_list_users_status(value: str) -> ListUsersStatus:
    if value in LIST_USERS_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_USERS_STATUS_VALUES!r}")
