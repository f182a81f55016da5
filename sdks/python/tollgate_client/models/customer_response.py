from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.customer_response_metadata import CustomerResponseMetadata
    from ..models.payment_method_response import PaymentMethodResponse


T = TypeVar("T", bound="CustomerResponse")


@_attrs_define
class CustomerResponse:
    """
    Attributes:
        id (str): Identifier, `cus_` followed by 22 base62 characters.
        email (str):
        metadata (CustomerResponseMetadata):
        created_at (datetime.datetime):
        name (None | str | Unset):
        external_id (None | str | Unset):
        tax_rate (None | str | Unset): Percent, as a decimal string.
        stripe_customer (None | str | Unset): The customer in the connected Stripe account (`cus_…` there); null until
            first needed.
        payment_method (None | PaymentMethodResponse | Unset):
    """

    id: str
    email: str
    metadata: CustomerResponseMetadata
    created_at: datetime.datetime
    name: None | str | Unset = UNSET
    external_id: None | str | Unset = UNSET
    tax_rate: None | str | Unset = UNSET
    stripe_customer: None | str | Unset = UNSET
    payment_method: None | PaymentMethodResponse | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.payment_method_response import PaymentMethodResponse  # noqa: PLC0415

        id = self.id

        email = self.email

        metadata = self.metadata.to_dict()

        created_at = self.created_at.isoformat()

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        external_id: None | str | Unset
        if isinstance(self.external_id, Unset):
            external_id = UNSET
        else:
            external_id = self.external_id

        tax_rate: None | str | Unset
        if isinstance(self.tax_rate, Unset):
            tax_rate = UNSET
        else:
            tax_rate = self.tax_rate

        stripe_customer: None | str | Unset
        if isinstance(self.stripe_customer, Unset):
            stripe_customer = UNSET
        else:
            stripe_customer = self.stripe_customer

        payment_method: dict[str, Any] | None | Unset
        if isinstance(self.payment_method, Unset):
            payment_method = UNSET
        elif isinstance(self.payment_method, PaymentMethodResponse):
            payment_method = self.payment_method.to_dict()
        else:
            payment_method = self.payment_method

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "metadata": metadata,
                "created_at": created_at,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if external_id is not UNSET:
            field_dict["external_id"] = external_id
        if tax_rate is not UNSET:
            field_dict["tax_rate"] = tax_rate
        if stripe_customer is not UNSET:
            field_dict["stripe_customer"] = stripe_customer
        if payment_method is not UNSET:
            field_dict["payment_method"] = payment_method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_response_metadata import CustomerResponseMetadata  # noqa: PLC0415
        from ..models.payment_method_response import PaymentMethodResponse  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        email = d.pop("email")

        metadata = CustomerResponseMetadata.from_dict(d.pop("metadata"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_id = _parse_external_id(d.pop("external_id", UNSET))

        def _parse_tax_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tax_rate = _parse_tax_rate(d.pop("tax_rate", UNSET))

        def _parse_stripe_customer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stripe_customer = _parse_stripe_customer(d.pop("stripe_customer", UNSET))

        def _parse_payment_method(data: object) -> None | PaymentMethodResponse | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payment_method_type_1 = PaymentMethodResponse.from_dict(data)

                return payment_method_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentMethodResponse | Unset, data)

        payment_method = _parse_payment_method(d.pop("payment_method", UNSET))

        customer_response = cls(
            id=id,
            email=email,
            metadata=metadata,
            created_at=created_at,
            name=name,
            external_id=external_id,
            tax_rate=tax_rate,
            stripe_customer=stripe_customer,
            payment_method=payment_method,
        )

        customer_response.additional_properties = d
        return customer_response

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
