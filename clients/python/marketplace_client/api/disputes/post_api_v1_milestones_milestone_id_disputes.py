from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.dispute import Dispute
from ...models.dispute_create import DisputeCreate
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    milestone_id: int,
    *,
    body: DisputeCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/milestones/{milestone_id}/disputes".format(
            milestone_id=quote(str(milestone_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Dispute | Problem:
    if response.status_code == 201:
        response_201 = Dispute.from_dict(response.json())

        return response_201

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Dispute | Problem]:
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
    body: DisputeCreate,
) -> Response[Dispute | Problem]:
    """Open a dispute on a milestone holding money (either party): its money is frozen.

    Args:
        milestone_id (int):
        body (DisputeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Dispute | Problem]
    """

    kwargs = _get_kwargs(
        milestone_id=milestone_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    milestone_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: DisputeCreate,
) -> Dispute | Problem | None:
    """Open a dispute on a milestone holding money (either party): its money is frozen.

    Args:
        milestone_id (int):
        body (DisputeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Dispute | Problem
    """

    return sync_detailed(
        milestone_id=milestone_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    milestone_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: DisputeCreate,
) -> Response[Dispute | Problem]:
    """Open a dispute on a milestone holding money (either party): its money is frozen.

    Args:
        milestone_id (int):
        body (DisputeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Dispute | Problem]
    """

    kwargs = _get_kwargs(
        milestone_id=milestone_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    milestone_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: DisputeCreate,
) -> Dispute | Problem | None:
    """Open a dispute on a milestone holding money (either party): its money is frozen.

    Args:
        milestone_id (int):
        body (DisputeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Dispute | Problem
    """

    return (
        await asyncio_detailed(
            milestone_id=milestone_id,
            client=client,
            body=body,
        )
    ).parsed
