from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field


import datetime


T = TypeVar("T", bound="StripeAccountResponse")


@_attrs_define
class StripeAccountResponse:
    """
    Attributes:
        stripe_account (str): Stripe's account id.
        livemode (bool):
        webhook_endpoint (str): The webhook endpoint registered on the account (`we_…`).
        webhook_url (str): Where Stripe sends its events.
        api_key_hint (str): The key, shortened past use.
        api_version (str): The Stripe API version of the events sent to the endpoint.
        connected_at (datetime.datetime):
    """

    stripe_account: str
    livemode: bool
    webhook_endpoint: str
    webhook_url: str
    api_key_hint: str
    api_version: str
    connected_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        stripe_account = self.stripe_account

        livemode = self.livemode

        webhook_endpoint = self.webhook_endpoint

        webhook_url = self.webhook_url

        api_key_hint = self.api_key_hint

        api_version = self.api_version

        connected_at = self.connected_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "stripe_account": stripe_account,
                "livemode": livemode,
                "webhook_endpoint": webhook_endpoint,
                "webhook_url": webhook_url,
                "api_key_hint": api_key_hint,
                "api_version": api_version,
                "connected_at": connected_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        stripe_account = d.pop("stripe_account")

        livemode = d.pop("livemode")

        webhook_endpoint = d.pop("webhook_endpoint")

        webhook_url = d.pop("webhook_url")

        api_key_hint = d.pop("api_key_hint")

        api_version = d.pop("api_version")

        connected_at = datetime.datetime.fromisoformat(d.pop("connected_at"))

        stripe_account_response = cls(
            stripe_account=stripe_account,
            livemode=livemode,
            webhook_endpoint=webhook_endpoint,
            webhook_url=webhook_url,
            api_key_hint=api_key_hint,
            api_version=api_version,
            connected_at=connected_at,
        )

        stripe_account_response.additional_properties = d
        return stripe_account_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
