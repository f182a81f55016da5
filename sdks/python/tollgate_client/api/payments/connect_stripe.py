from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.connect_request import ConnectRequest
from ...models.error_envelope import ErrorEnvelope
from ...models.mode import Mode
from ...models.stripe_account_response import StripeAccountResponse
from ...types import Unset


def _get_kwargs(
    *,
    body: ConnectRequest,
    billing_mode: Mode | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/stripe-account",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | StripeAccountResponse | None:
    if response.status_code == 200:
        response_200 = StripeAccountResponse.from_dict(response.json())

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
) -> Response[ErrorEnvelope | StripeAccountResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: ConnectRequest,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | StripeAccountResponse]:
    """Connect your Stripe account for the mode you act in: the key is checked with Stripe, a
    webhook endpoint is registered on the account, and both the key and the endpoint's secret
    are kept encrypted. Connecting again replaces the connection.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (ConnectRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | StripeAccountResponse]
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
    body: ConnectRequest,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | StripeAccountResponse | None:
    """Connect your Stripe account for the mode you act in: the key is checked with Stripe, a
    webhook endpoint is registered on the account, and both the key and the endpoint's secret
    are kept encrypted. Connecting again replaces the connection.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (ConnectRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | StripeAccountResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        billing_mode=billing_mode,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: ConnectRequest,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | StripeAccountResponse]:
    """Connect your Stripe account for the mode you act in: the key is checked with Stripe, a
    webhook endpoint is registered on the account, and both the key and the endpoint's secret
    are kept encrypted. Connecting again replaces the connection.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (ConnectRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | StripeAccountResponse]
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
    body: ConnectRequest,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | StripeAccountResponse | None:
    """Connect your Stripe account for the mode you act in: the key is checked with Stripe, a
    webhook endpoint is registered on the account, and both the key and the endpoint's secret
    are kept encrypted. Connecting again replaces the connection.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (ConnectRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | StripeAccountResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            billing_mode=billing_mode,
        )
    ).parsed
