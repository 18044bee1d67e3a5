from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.gold_problem import GoldProblem
from ...models.gold_records import GoldRecords
from ...models.gold_summary import GoldSummary
from ...models.problem import Problem
from ...types import UNSET, File, Response, Unset


def _get_kwargs(
    job_id: int,
    *,
    body: GoldRecords | File | Unset = UNSET,
    x_csrf_token: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_csrf_token, Unset):
        headers["X-CSRF-Token"] = x_csrf_token

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/jobs/{job_id}/gold".format(
            job_id=quote(str(job_id), safe=""),
        ),
    }

    if isinstance(body, GoldRecords):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["content"] = body.payload
        headers["Content-Type"] = "text/csv"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GoldProblem | GoldSummary | Problem | None:
    if response.status_code == 200:
        response_200 = GoldSummary.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 414:
        response_414 = Problem.from_dict(response.json())

        return response_414

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = GoldProblem.from_dict(response.json())

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
) -> Response[GoldProblem | GoldSummary | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: GoldRecords | File | Unset = UNSET,
    x_csrf_token: str | Unset = UNSET,
) -> Response[GoldProblem | GoldSummary | Problem]:
    """Replace the job's gold records, the known answers deliveries are measured on (its
    client): CSV with a header row, or JSON `{records}`, checked as a delivery is.

    Args:
        job_id (int):
        x_csrf_token (str | Unset):
        body (GoldRecords):
        body (File): CSV in UTF-8 (with or without a BOM): a header row naming the schema's fields
            in any order, then one gold record a row; up to `MAX_UPLOAD_BYTES`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GoldProblem | GoldSummary | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        body=body,
        x_csrf_token=x_csrf_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: GoldRecords | File | Unset = UNSET,
    x_csrf_token: str | Unset = UNSET,
) -> GoldProblem | GoldSummary | Problem | None:
    """Replace the job's gold records, the known answers deliveries are measured on (its
    client): CSV with a header row, or JSON `{records}`, checked as a delivery is.

    Args:
        job_id (int):
        x_csrf_token (str | Unset):
        body (GoldRecords):
        body (File): CSV in UTF-8 (with or without a BOM): a header row naming the schema's fields
            in any order, then one gold record a row; up to `MAX_UPLOAD_BYTES`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GoldProblem | GoldSummary | Problem
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        body=body,
        x_csrf_token=x_csrf_token,
    ).parsed


async def asyncio_detailed(
    job_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: GoldRecords | File | Unset = UNSET,
    x_csrf_token: str | Unset = UNSET,
) -> Response[GoldProblem | GoldSummary | Problem]:
    """Replace the job's gold records, the known answers deliveries are measured on (its
    client): CSV with a header row, or JSON `{records}`, checked as a delivery is.

    Args:
        job_id (int):
        x_csrf_token (str | Unset):
        body (GoldRecords):
        body (File): CSV in UTF-8 (with or without a BOM): a header row naming the schema's fields
            in any order, then one gold record a row; up to `MAX_UPLOAD_BYTES`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GoldProblem | GoldSummary | Problem]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        body=body,
        x_csrf_token=x_csrf_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: int,
    *,
    client: AuthenticatedClient | Client,
    body: GoldRecords | File | Unset = UNSET,
    x_csrf_token: str | Unset = UNSET,
) -> GoldProblem | GoldSummary | Problem | None:
    """Replace the job's gold records, the known answers deliveries are measured on (its
    client): CSV with a header row, or JSON `{records}`, checked as a delivery is.

    Args:
        job_id (int):
        x_csrf_token (str | Unset):
        body (GoldRecords):
        body (File): CSV in UTF-8 (with or without a BOM): a header row naming the schema's fields
            in any order, then one gold record a row; up to `MAX_UPLOAD_BYTES`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GoldProblem | GoldSummary | Problem
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            body=body,
            x_csrf_token=x_csrf_token,
        )
    ).parsed
