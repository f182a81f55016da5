from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.advance_request import AdvanceRequest
from ...models.error_envelope import ErrorEnvelope
from ...models.mode import Mode
from ...models.test_clock_response import TestClockResponse
from ...types import Unset


def _get_kwargs(
    *,
    body: AdvanceRequest,
    billing_mode: Mode | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/test-clock/advance",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | TestClockResponse | None:
    if response.status_code == 200:
        response_200 = TestClockResponse.from_dict(response.json())

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

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

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
) -> Response[ErrorEnvelope | TestClockResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AdvanceRequest,
    billing_mode: Mode | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | TestClockResponse]:
    """Move the test clock forward to `to`. Before answering, every piece of billing work due on
    the way runs in time order: periods close, trials end, scheduled changes and cancellations
    take effect, drafts are finalized and emailed. It commits as it goes, each piece of work
    whole, 16 at a time, with the clock at the last one run: if the call is cut short, the same
    call again finishes it.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        idempotency_key (str | Unset):
        body (AdvanceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TestClockResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        billing_mode=billing_mode,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: AdvanceRequest,
    billing_mode: Mode | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | TestClockResponse | None:
    """Move the test clock forward to `to`. Before answering, every piece of billing work due on
    the way runs in time order: periods close, trials end, scheduled changes and cancellations
    take effect, drafts are finalized and emailed. It commits as it goes, each piece of work
    whole, 16 at a time, with the clock at the last one run: if the call is cut short, the same
    call again finishes it.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        idempotency_key (str | Unset):
        body (AdvanceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TestClockResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        billing_mode=billing_mode,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: AdvanceRequest,
    billing_mode: Mode | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | TestClockResponse]:
    """Move the test clock forward to `to`. Before answering, every piece of billing work due on
    the way runs in time order: periods close, trials end, scheduled changes and cancellations
    take effect, drafts are finalized and emailed. It commits as it goes, each piece of work
    whole, 16 at a time, with the clock at the last one run: if the call is cut short, the same
    call again finishes it.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        idempotency_key (str | Unset):
        body (AdvanceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | TestClockResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        billing_mode=billing_mode,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: AdvanceRequest,
    billing_mode: Mode | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | TestClockResponse | None:
    """Move the test clock forward to `to`. Before answering, every piece of billing work due on
    the way runs in time order: periods close, trials end, scheduled changes and cancellations
    take effect, drafts are finalized and emailed. It commits as it goes, each piece of work
    whole, 16 at a time, with the clock at the last one run: if the call is cut short, the same
    call again finishes it.

    Args:
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.
        idempotency_key (str | Unset):
        body (AdvanceRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | TestClockResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            billing_mode=billing_mode,
            idempotency_key=idempotency_key,
        )
    ).parsed
