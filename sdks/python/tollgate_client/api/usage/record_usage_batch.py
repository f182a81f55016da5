from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_envelope import ErrorEnvelope
from ...models.mode import Mode
from ...models.usage_batch_request import UsageBatchRequest
from ...models.usage_batch_response import UsageBatchResponse
from ...types import Unset


def _get_kwargs(
    *,
    body: UsageBatchRequest,
    billing_mode: Mode | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/usage/batch",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | UsageBatchResponse | None:
    if response.status_code == 200:
        response_200 = UsageBatchResponse.from_dict(response.json())

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
) -> Response[ErrorEnvelope | UsageBatchResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UsageBatchRequest,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | UsageBatchResponse]:
    """Record up to 1,000 usage events in one call.

     Valid events are recorded; invalid ones are reported by index and record nothing. A batch
    of more than 1,000 events is refused whole. Recording is not all-or-nothing: should the
    database fail midway, the call answers 503 with some events perhaps recorded. Retrying the
    whole batch is safe, as each `event_id` is recorded once (the repeats count as `duplicates`).

    Batches arriving faster than they can be written wait their turn; one that waits longer than
    the database pool's timeout answers 503 `database_unavailable` having recorded nothing.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UsageBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UsageBatchResponse]
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
    client: AuthenticatedClient | Client,
    body: UsageBatchRequest,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | UsageBatchResponse | None:
    """Record up to 1,000 usage events in one call.

     Valid events are recorded; invalid ones are reported by index and record nothing. A batch
    of more than 1,000 events is refused whole. Recording is not all-or-nothing: should the
    database fail midway, the call answers 503 with some events perhaps recorded. Retrying the
    whole batch is safe, as each `event_id` is recorded once (the repeats count as `duplicates`).

    Batches arriving faster than they can be written wait their turn; one that waits longer than
    the database pool's timeout answers 503 `database_unavailable` having recorded nothing.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UsageBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UsageBatchResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        billing_mode=billing_mode,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: UsageBatchRequest,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | UsageBatchResponse]:
    """Record up to 1,000 usage events in one call.

     Valid events are recorded; invalid ones are reported by index and record nothing. A batch
    of more than 1,000 events is refused whole. Recording is not all-or-nothing: should the
    database fail midway, the call answers 503 with some events perhaps recorded. Retrying the
    whole batch is safe, as each `event_id` is recorded once (the repeats count as `duplicates`).

    Batches arriving faster than they can be written wait their turn; one that waits longer than
    the database pool's timeout answers 503 `database_unavailable` having recorded nothing.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UsageBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UsageBatchResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        billing_mode=billing_mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: UsageBatchRequest,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | UsageBatchResponse | None:
    """Record up to 1,000 usage events in one call.

     Valid events are recorded; invalid ones are reported by index and record nothing. A batch
    of more than 1,000 events is refused whole. Recording is not all-or-nothing: should the
    database fail midway, the call answers 503 with some events perhaps recorded. Retrying the
    whole batch is safe, as each `event_id` is recorded once (the repeats count as `duplicates`).

    Batches arriving faster than they can be written wait their turn; one that waits longer than
    the database pool's timeout answers 503 `database_unavailable` having recorded nothing.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        body (UsageBatchRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UsageBatchResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            billing_mode=billing_mode,
        )
    ).parsed
