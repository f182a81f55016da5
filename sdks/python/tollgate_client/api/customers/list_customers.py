from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.customer_list import CustomerList
from ...models.error_envelope import ErrorEnvelope
from ...models.mode import Mode
from ...types import Unset


def _get_kwargs(
    *,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    search: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    params: dict[str, Any] = {}

    params["email"] = email

    params["external_id"] = external_id

    params["search"] = search

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/customers",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CustomerList | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = CustomerList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CustomerList | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    search: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[CustomerList | ErrorEnvelope]:
    """List customers, newest first.

    Args:
        email (str | Unset):
        external_id (str | Unset):
        search (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerList | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        email=email,
        external_id=external_id,
        search=search,
        limit=limit,
        cursor=cursor,
        billing_mode=billing_mode,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    search: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> CustomerList | ErrorEnvelope | None:
    """List customers, newest first.

    Args:
        email (str | Unset):
        external_id (str | Unset):
        search (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerList | ErrorEnvelope
    """

    return sync_detailed(
        client=client,
        email=email,
        external_id=external_id,
        search=search,
        limit=limit,
        cursor=cursor,
        billing_mode=billing_mode,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    search: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[CustomerList | ErrorEnvelope]:
    """List customers, newest first.

    Args:
        email (str | Unset):
        external_id (str | Unset):
        search (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerList | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        email=email,
        external_id=external_id,
        search=search,
        limit=limit,
        cursor=cursor,
        billing_mode=billing_mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    email: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    search: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> CustomerList | ErrorEnvelope | None:
    """List customers, newest first.

    Args:
        email (str | Unset):
        external_id (str | Unset):
        search (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerList | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            email=email,
            external_id=external_id,
            search=search,
            limit=limit,
            cursor=cursor,
            billing_mode=billing_mode,
        )
    ).parsed
