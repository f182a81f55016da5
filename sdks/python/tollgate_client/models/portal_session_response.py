from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime


T = TypeVar("T", bound="PortalSessionResponse")


@_attrs_define
class PortalSessionResponse:
    """
    Attributes:
        id (str): Identifier, `bps_` followed by 22 base62 characters.
        customer (str): Identifier, `cus_` followed by 22 base62 characters.
        url (str): Send the customer here. It works once, until `expires_at`.
        expires_at (datetime.datetime): When the link stops working if it was not visited (wall clock).
        created_at (datetime.datetime):
        return_url (None | str | Unset):
    """

    id: str
    customer: str
    url: str
    expires_at: datetime.datetime
    created_at: datetime.datetime
    return_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        url = self.url

        expires_at = self.expires_at.isoformat()

        created_at = self.created_at.isoformat()

        return_url: None | str | Unset
        if isinstance(self.return_url, Unset):
            return_url = UNSET
        else:
            return_url = self.return_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "url": url,
                "expires_at": expires_at,
                "created_at": created_at,
            }
        )
        if return_url is not UNSET:
            field_dict["return_url"] = return_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        url = d.pop("url")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_return_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        return_url = _parse_return_url(d.pop("return_url", UNSET))

        portal_session_response = cls(
            id=id,
            customer=customer,
            url=url,
            expires_at=expires_at,
            created_at=created_at,
            return_url=return_url,
        )

        portal_session_response.additional_properties = d
        return portal_session_response

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
