from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from ..models.currency import Currency
from typing import cast


T = TypeVar("T", bound="CheckoutSessionRequest")


@_attrs_define
class CheckoutSessionRequest:
    """
    Attributes:
        success_url (str): Where Stripe sends the customer once the card is saved.
        cancel_url (str): Where Stripe sends the customer who gives up.
        currency (Currency | None | Unset):
    """

    success_url: str
    cancel_url: str
    currency: Currency | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        success_url = self.success_url

        cancel_url = self.cancel_url

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, Currency):
            currency = self.currency.value
        else:
            currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        success_url = d.pop("success_url")

        cancel_url = d.pop("cancel_url")

        def _parse_currency(data: object) -> Currency | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_1 = Currency(data)

                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Currency | None | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        checkout_session_request = cls(
            success_url=success_url,
            cancel_url=cancel_url,
            currency=currency,
        )

        return checkout_session_request
