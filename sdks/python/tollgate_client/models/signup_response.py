from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field


if TYPE_CHECKING:
    from ..models.initial_secret_keys import InitialSecretKeys
    from ..models.tenant_summary import TenantSummary
    from ..models.user_summary import UserSummary


T = TypeVar("T", bound="SignupResponse")


@_attrs_define
class SignupResponse:
    """
    Attributes:
        tenant (TenantSummary):
        user (UserSummary):
        access_token (str):
        secret_keys (InitialSecretKeys): The two secret keys every new tenant starts with; shown only here.
    """

    tenant: TenantSummary
    user: UserSummary
    access_token: str
    secret_keys: InitialSecretKeys
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant.to_dict()

        user = self.user.to_dict()

        access_token = self.access_token

        secret_keys = self.secret_keys.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "user": user,
                "access_token": access_token,
                "secret_keys": secret_keys,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.initial_secret_keys import InitialSecretKeys  # noqa: PLC0415
        from ..models.tenant_summary import TenantSummary  # noqa: PLC0415
        from ..models.user_summary import UserSummary  # noqa: PLC0415

        d = dict(src_dict)
        tenant = TenantSummary.from_dict(d.pop("tenant"))

        user = UserSummary.from_dict(d.pop("user"))

        access_token = d.pop("access_token")

        secret_keys = InitialSecretKeys.from_dict(d.pop("secret_keys"))

        signup_response = cls(
            tenant=tenant,
            user=user,
            access_token=access_token,
            secret_keys=secret_keys,
        )

        signup_response.additional_properties = d
        return signup_response

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
