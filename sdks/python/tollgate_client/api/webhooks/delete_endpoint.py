from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.deleted_endpoint import DeletedEndpoint
from ...models.error_envelope import ErrorEnvelope
from ...models.mode import Mode
from ...types import Unset


def _get_kwargs(
    id: str,
    *,
    billing_mode: Mode | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/webhook-endpoints/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeletedEndpoint | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = DeletedEndpoint.from_dict(response.json())

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

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

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
) -> Response[DeletedEndpoint | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    billing_mode: Mode | Unset = UNSET,
) -> Response[DeletedEndpoint | ErrorEnvelope]:
    """Delete an endpoint: it receives nothing more.

    Args:
        id (str): Identifier, `whep_` followed by 22 base62 characters.
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletedEndpoint | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        id=id,
        billing_mode=billing_mode,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    billing_mode: Mode | Unset = UNSET,
) -> DeletedEndpoint | ErrorEnvelope | None:
    """Delete an endpoint: it receives nothing more.

    Args:
        id (str): Identifier, `whep_` followed by 22 base62 characters.
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletedEndpoint | ErrorEnvelope
    """

    return sync_detailed(
        id=id,
        client=client,
        billing_mode=billing_mode,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    billing_mode: Mode | Unset = UNSET,
) -> Response[DeletedEndpoint | ErrorEnvelope]:
    """Delete an endpoint: it receives nothing more.

    Args:
        id (str): Identifier, `whep_` followed by 22 base62 characters.
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletedEndpoint | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        id=id,
        billing_mode=billing_mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    billing_mode: Mode | Unset = UNSET,
) -> DeletedEndpoint | ErrorEnvelope | None:
    """Delete an endpoint: it receives nothing more.

    Args:
        id (str): Identifier, `whep_` followed by 22 base62 characters.
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletedEndpoint | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            billing_mode=billing_mode,
        )
    ).parsed
