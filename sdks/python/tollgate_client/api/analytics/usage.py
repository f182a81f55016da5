from http import HTTPStatus
from typing import Any

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.currency import Currency
from ...models.error_envelope import ErrorEnvelope
from ...models.mode import Mode
from ...models.usage_by_feature import UsageByFeature
from ...types import Unset
import datetime


def _get_kwargs(
    *,
    currency: Currency,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    params: dict[str, Any] = {}

    json_currency = currency.value
    params["currency"] = json_currency

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/analytics/usage",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | UsageByFeature | None:
    if response.status_code == 200:
        response_200 = UsageByFeature.from_dict(response.json())

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
) -> Response[ErrorEnvelope | UsageByFeature]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    currency: Currency,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | UsageByFeature]:
    """Usage billed per feature: the usage lines of the invoices finalized in `[from, to)` (default
    the 12 months up to the end of the present one), void ones excepted.

    Args:
        currency (Currency): ISO 4217 currency code (upper case; lower case is accepted too).
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UsageByFeature]
    """

    kwargs = _get_kwargs(
        currency=currency,
        from_=from_,
        to=to,
        billing_mode=billing_mode,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    currency: Currency,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | UsageByFeature | None:
    """Usage billed per feature: the usage lines of the invoices finalized in `[from, to)` (default
    the 12 months up to the end of the present one), void ones excepted.

    Args:
        currency (Currency): ISO 4217 currency code (upper case; lower case is accepted too).
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UsageByFeature
    """

    return sync_detailed(
        client=client,
        currency=currency,
        from_=from_,
        to=to,
        billing_mode=billing_mode,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    currency: Currency,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | UsageByFeature]:
    """Usage billed per feature: the usage lines of the invoices finalized in `[from, to)` (default
    the 12 months up to the end of the present one), void ones excepted.

    Args:
        currency (Currency): ISO 4217 currency code (upper case; lower case is accepted too).
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UsageByFeature]
    """

    kwargs = _get_kwargs(
        currency=currency,
        from_=from_,
        to=to,
        billing_mode=billing_mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    currency: Currency,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | UsageByFeature | None:
    """Usage billed per feature: the usage lines of the invoices finalized in `[from, to)` (default
    the 12 months up to the end of the present one), void ones excepted.

    Args:
        currency (Currency): ISO 4217 currency code (upper case; lower case is accepted too).
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UsageByFeature
    """

    return (
        await asyncio_detailed(
            client=client,
            currency=currency,
            from_=from_,
            to=to,
            billing_mode=billing_mode,
        )
    ).parsed
