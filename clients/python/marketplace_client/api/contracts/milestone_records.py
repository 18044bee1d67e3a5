from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delivered_record_page import DeliveredRecordPage
from ...models.milestone_records_format import MilestoneRecordsFormat
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    milestone_id: int,
    *,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    format_: MilestoneRecordsFormat | Unset = "csv",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_limit: int | None | Unset
    if isinstance(limit, Unset):
        json_limit = UNSET
    else:
        json_limit = limit
    params["limit"] = json_limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/milestones/{milestone_id}/records".format(
            milestone_id=quote(str(milestone_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeliveredRecordPage | Problem | None:
    if response.status_code == 200:
        response_200 = DeliveredRecordPage.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 414:
        response_414 = Problem.from_dict(response.json())

        return response_414

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DeliveredRecordPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    milestone_id: int,
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    format_: MilestoneRecordsFormat | Unset = "csv",
) -> Response[DeliveredRecordPage | Problem]:
    """The records of the milestone's latest delivery, as CSV or JSON (its parties, admins).

    Args:
        milestone_id (int):
        limit (int | None | Unset):
        cursor (None | str | Unset):
        format_ (MilestoneRecordsFormat | Unset):  Default: 'csv'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeliveredRecordPage | Problem]
    """

    kwargs = _get_kwargs(
        milestone_id=milestone_id,
        limit=limit,
        cursor=cursor,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    milestone_id: int,
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    format_: MilestoneRecordsFormat | Unset = "csv",
) -> DeliveredRecordPage | Problem | None:
    """The records of the milestone's latest delivery, as CSV or JSON (its parties, admins).

    Args:
        milestone_id (int):
        limit (int | None | Unset):
        cursor (None | str | Unset):
        format_ (MilestoneRecordsFormat | Unset):  Default: 'csv'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeliveredRecordPage | Problem
    """

    return sync_detailed(
        milestone_id=milestone_id,
        client=client,
        limit=limit,
        cursor=cursor,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    milestone_id: int,
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    format_: MilestoneRecordsFormat | Unset = "csv",
) -> Response[DeliveredRecordPage | Problem]:
    """The records of the milestone's latest delivery, as CSV or JSON (its parties, admins).

    Args:
        milestone_id (int):
        limit (int | None | Unset):
        cursor (None | str | Unset):
        format_ (MilestoneRecordsFormat | Unset):  Default: 'csv'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeliveredRecordPage | Problem]
    """

    kwargs = _get_kwargs(
        milestone_id=milestone_id,
        limit=limit,
        cursor=cursor,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    milestone_id: int,
    *,
    client: AuthenticatedClient | Client,
    limit: int | None | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    format_: MilestoneRecordsFormat | Unset = "csv",
) -> DeliveredRecordPage | Problem | None:
    """The records of the milestone's latest delivery, as CSV or JSON (its parties, admins).

    Args:
        milestone_id (int):
        limit (int | None | Unset):
        cursor (None | str | Unset):
        format_ (MilestoneRecordsFormat | Unset):  Default: 'csv'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeliveredRecordPage | Problem
    """

    return (
        await asyncio_detailed(
            milestone_id=milestone_id,
            client=client,
            limit=limit,
            cursor=cursor,
            format_=format_,
        )
    ).parsed
