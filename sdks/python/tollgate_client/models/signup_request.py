from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define


T = TypeVar("T", bound="SignupRequest")


@_attrs_define
class SignupRequest:
    """
    Attributes:
        organization (str): The company's name, 1 to 200 characters.
        email (str):
        password (str): At least 10 characters.
    """

    organization: str
    email: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        organization = self.organization

        email = self.email

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "organization": organization,
                "email": email,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        organization = d.pop("organization")

        email = d.pop("email")

        password = d.pop("password")

        signup_request = cls(
            organization=organization,
            email=email,
            password=password,
        )

        return signup_request
