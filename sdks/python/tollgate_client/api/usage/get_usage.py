from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.error_envelope import ErrorEnvelope
from ...models.granularity import Granularity
from ...models.mode import Mode
from ...models.usage_series import UsageSeries
from ...types import Unset
import datetime


def _get_kwargs(
    id: str,
    *,
    feature: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    granularity: Granularity | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(billing_mode, Unset):
        headers["Billing-Mode"] = str(billing_mode)

    params: dict[str, Any] = {}

    params["feature"] = feature

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    json_granularity: str | Unset = UNSET
    if not isinstance(granularity, Unset):
        json_granularity = granularity.value

    params["granularity"] = json_granularity

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/customers/{id}/usage".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | UsageSeries | None:
    if response.status_code == 200:
        response_200 = UsageSeries.from_dict(response.json())

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
) -> Response[ErrorEnvelope | UsageSeries]:
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
    feature: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    granularity: Granularity | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | UsageSeries]:
    """A customer's usage of a feature over time, for a usage dashboard.

    Args:
        id (str): Identifier, `cus_` followed by 22 base62 characters.
        feature (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        granularity (Granularity | Unset): The size of a time-series bucket (UTC).
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UsageSeries]
    """

    kwargs = _get_kwargs(
        id=id,
        feature=feature,
        from_=from_,
        to=to,
        granularity=granularity,
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
    feature: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    granularity: Granularity | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | UsageSeries | None:
    """A customer's usage of a feature over time, for a usage dashboard.

    Args:
        id (str): Identifier, `cus_` followed by 22 base62 characters.
        feature (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        granularity (Granularity | Unset): The size of a time-series bucket (UTC).
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UsageSeries
    """

    return sync_detailed(
        id=id,
        client=client,
        feature=feature,
        from_=from_,
        to=to,
        granularity=granularity,
        billing_mode=billing_mode,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    feature: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    granularity: Granularity | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> Response[ErrorEnvelope | UsageSeries]:
    """A customer's usage of a feature over time, for a usage dashboard.

    Args:
        id (str): Identifier, `cus_` followed by 22 base62 characters.
        feature (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        granularity (Granularity | Unset): The size of a time-series bucket (UTC).
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | UsageSeries]
    """

    kwargs = _get_kwargs(
        id=id,
        feature=feature,
        from_=from_,
        to=to,
        granularity=granularity,
        billing_mode=billing_mode,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    feature: str,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    granularity: Granularity | Unset = UNSET,
    billing_mode: Mode | Unset = UNSET,
) -> ErrorEnvelope | UsageSeries | None:
    """A customer's usage of a feature over time, for a usage dashboard.

    Args:
        id (str): Identifier, `cus_` followed by 22 base62 characters.
        feature (str):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        granularity (Granularity | Unset): The size of a time-series bucket (UTC).
        billing_mode (Mode | Unset): Test or live. Test-mode data is never visible to live
            credentials, and the reverse.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | UsageSeries
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            feature=feature,
            from_=from_,
            to=to,
            granularity=granularity,
            billing_mode=billing_mode,
        )
    ).parsed
