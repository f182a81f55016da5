from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_envelope import ErrorEnvelope
from ...models.mode import Mode
from ...models.tenant_response import TenantResponse
from ...models.update_tenant_request import UpdateTenantRequest
from ...types import Unset


def _get_kwargs(
    *,
    body: UpdateTenantRequest | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/tenant",
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TenantResponse | None:
    if response.status_code == 200:
        response_200 = TenantResponse.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())

        return response_415

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
) -> Response[ErrorEnvelope | TenantResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: UpdateTenantRequest | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | TenantResponse]:
    """Change the tenant's name or pricing page.

     Needs a user's access token. `pricing_url` is what verify returns as `upgrade_url` when a
    customer's plan lacks a feature or its limit is reached.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UpdateTenantRequest | Unset): The tenant's settings to change; `null` clears
            `pricing_url`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TenantResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        billing_mode=billing_mode,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: UpdateTenantRequest | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | TenantResponse | None:
    """Change the tenant's name or pricing page.

     Needs a user's access token. `pricing_url` is what verify returns as `upgrade_url` when a
    customer's plan lacks a feature or its limit is reached.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UpdateTenantRequest | Unset): The tenant's settings to change; `null` clears
            `pricing_url`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TenantResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        billing_mode=billing_mode,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: UpdateTenantRequest | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | TenantResponse]:
    """Change the tenant's name or pricing page.

     Needs a user's access token. `pricing_url` is what verify returns as `upgrade_url` when a
    customer's plan lacks a feature or its limit is reached.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UpdateTenantRequest | Unset): The tenant's settings to change; `null` clears
            `pricing_url`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TenantResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        billing_mode=billing_mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: UpdateTenantRequest | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | TenantResponse | None:
    """Change the tenant's name or pricing page.

     Needs a user's access token. `pricing_url` is what verify returns as `upgrade_url` when a
    customer's plan lacks a feature or its limit is reached.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UpdateTenantRequest | Unset): The tenant's settings to change; `null` clears
            `pricing_url`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TenantResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            billing_mode=billing_mode,
        )
    ).parsed
