from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
    from ..models.invoice_response import InvoiceResponse
    from ..models.subscription_response import SubscriptionResponse


T = TypeVar("T", bound="ChangePreview")


@_attrs_define
class ChangePreview:
    """
    Attributes:
        subscription (SubscriptionResponse):
        invoice (InvoiceResponse | None | Unset):
    """

    subscription: SubscriptionResponse
    invoice: InvoiceResponse | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.invoice_response import InvoiceResponse  # noqa: PLC0415

        subscription = self.subscription.to_dict()

        invoice: dict[str, Any] | None | Unset
        if isinstance(self.invoice, Unset):
            invoice = UNSET
        elif isinstance(self.invoice, InvoiceResponse):
            invoice = self.invoice.to_dict()
        else:
            invoice = self.invoice

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscription": subscription,
            }
        )
        if invoice is not UNSET:
            field_dict["invoice"] = invoice

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invoice_response import InvoiceResponse  # noqa: PLC0415
        from ..models.subscription_response import SubscriptionResponse  # noqa: PLC0415

        d = dict(src_dict)
        subscription = SubscriptionResponse.from_dict(d.pop("subscription"))

        def _parse_invoice(data: object) -> InvoiceResponse | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                invoice_type_1 = InvoiceResponse.from_dict(data)

                return invoice_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(InvoiceResponse | None | Unset, data)

        invoice = _parse_invoice(d.pop("invoice", UNSET))

        change_preview = cls(
            subscription=subscription,
            invoice=invoice,
        )

        change_preview.additional_properties = d
        return change_preview

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
