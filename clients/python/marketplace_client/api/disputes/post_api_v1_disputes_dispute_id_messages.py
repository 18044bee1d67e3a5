from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.dispute_message import DisputeMessage
from ...models.dispute_message_create import DisputeMessageCreate
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    dispute_id: int,
    *,
    body: DisputeMessageCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/disputes/{dispute_id}/messages".format(
            dispute_id=quote(str(dispute_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> DisputeMessage | Problem:
    if response.status_code == 201:
        response_201 = DisputeMessage.from_dict(response.json())

        return response_201

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DisputeMessage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dispute_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: DisputeMessageCreate,
) -> Response[DisputeMessage | Problem]:
    """Add evidence or discussion (parties, admins).

    Args:
        dispute_id (int):
        body (DisputeMessageCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DisputeMessage | Problem]
    """

    kwargs = _get_kwargs(
        dispute_id=dispute_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dispute_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: DisputeMessageCreate,
) -> DisputeMessage | Problem | None:
    """Add evidence or discussion (parties, admins).

    Args:
        dispute_id (int):
        body (DisputeMessageCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DisputeMessage | Problem
    """

    return sync_detailed(
        dispute_id=dispute_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    dispute_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: DisputeMessageCreate,
) -> Response[DisputeMessage | Problem]:
    """Add evidence or discussion (parties, admins).

    Args:
        dispute_id (int):
        body (DisputeMessageCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DisputeMessage | Problem]
    """

    kwargs = _get_kwargs(
        dispute_id=dispute_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dispute_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: DisputeMessageCreate,
) -> DisputeMessage | Problem | None:
    """Add evidence or discussion (parties, admins).

    Args:
        dispute_id (int):
        body (DisputeMessageCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DisputeMessage | Problem
    """

    return (
        await asyncio_detailed(
            dispute_id=dispute_id,
            client=client,
            body=body,
        )
    ).parsed
