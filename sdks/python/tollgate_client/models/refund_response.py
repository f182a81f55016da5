from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.refund_status import RefundStatus
from typing import cast


T = TypeVar("T", bound="RefundResponse")


@_attrs_define
class RefundResponse:
    """
    Attributes:
        id (str): Identifier, `re_` followed by 22 base62 characters.
        status (RefundStatus): `pending` until Stripe settles it.
        stripe_refund (None | str | Unset):
    """

    id: str
    status: RefundStatus
    stripe_refund: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status.value

        stripe_refund: None | str | Unset
        if isinstance(self.stripe_refund, Unset):
            stripe_refund = UNSET
        else:
            stripe_refund = self.stripe_refund

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
            }
        )
        if stripe_refund is not UNSET:
            field_dict["stripe_refund"] = stripe_refund

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        status = RefundStatus(d.pop("status"))

        def _parse_stripe_refund(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stripe_refund = _parse_stripe_refund(d.pop("stripe_refund", UNSET))

        refund_response = cls(
            id=id,
            status=status,
            stripe_refund=stripe_refund,
        )

        refund_response.additional_properties = d
        return refund_response

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
