from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.bid import Bid
from ...models.bid_update import BidUpdate
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    bid_id: int,
    *,
    body: BidUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/bids/{bid_id}".format(
            bid_id=quote(str(bid_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Bid | Problem:
    if response.status_code == 200:
        response_200 = Bid.from_dict(response.json())

        return response_200

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    response_default = Problem.from_dict(response.json())

    return response_default


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Bid | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    bid_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: BidUpdate,
) -> Response[Bid | Problem]:
    """Change a pending bid (its bidder only).

    Args:
        bid_id (int):
        body (BidUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Bid | Problem]
    """

    kwargs = _get_kwargs(
        bid_id=bid_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    bid_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: BidUpdate,
) -> Bid | Problem | None:
    """Change a pending bid (its bidder only).

    Args:
        bid_id (int):
        body (BidUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Bid | Problem
    """

    return sync_detailed(
        bid_id=bid_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    bid_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: BidUpdate,
) -> Response[Bid | Problem]:
    """Change a pending bid (its bidder only).

    Args:
        bid_id (int):
        body (BidUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Bid | Problem]
    """

    kwargs = _get_kwargs(
        bid_id=bid_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    bid_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: BidUpdate,
) -> Bid | Problem | None:
    """Change a pending bid (its bidder only).

    Args:
        bid_id (int):
        body (BidUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Bid | Problem
    """

    return (
        await asyncio_detailed(
            bid_id=bid_id,
            client=client,
            body=body,
        )
    ).parsed
