from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

from typing import cast


T = TypeVar("T", bound="CreatePortalSessionRequest")


@_attrs_define
class CreatePortalSessionRequest:
    """
    Attributes:
        customer (str): Identifier, `cus_` followed by 22 base62 characters.
        return_url (None | str | Unset): Where the portal's "back" link leads (your site); `http(s)`, at most 2,048
            characters.
    """

    customer: str
    return_url: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        return_url: None | str | Unset
        if isinstance(self.return_url, Unset):
            return_url = UNSET
        else:
            return_url = self.return_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "customer": customer,
            }
        )
        if return_url is not UNSET:
            field_dict["return_url"] = return_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        def _parse_return_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        return_url = _parse_return_url(d.pop("return_url", UNSET))

        create_portal_session_request = cls(
            customer=customer,
            return_url=return_url,
        )

        return create_portal_session_request
