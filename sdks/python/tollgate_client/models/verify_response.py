from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, TYPE_CHECKING

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.verify_code import VerifyCode
from typing import cast

if TYPE_CHECKING:
    from ..models.verified_customer import VerifiedCustomer
    from ..models.verified_event import VerifiedEvent
    from ..models.verified_feature import VerifiedFeature
    from ..models.verified_rate_limit import VerifiedRateLimit
    from ..models.verified_subscription import VerifiedSubscription


T = TypeVar("T", bound="VerifyResponse")


@_attrs_define
class VerifyResponse:
    """The verdict. Always 200 for a well-formed request: look at `valid` and `code`.

    Attributes:
        valid (bool):
        code (VerifyCode): The verdict: `VALID`, or why not.
        customer (None | Unset | VerifiedCustomer):
        subscription (None | Unset | VerifiedSubscription):
        feature (None | Unset | VerifiedFeature):
        rate_limit (None | Unset | VerifiedRateLimit):
        event (None | Unset | VerifiedEvent):
        upgrade_url (None | str | Unset): Where to upgrade, when the tenant has set a pricing page and the plan falls
            short.
    """

    valid: bool
    code: VerifyCode
    customer: None | Unset | VerifiedCustomer = UNSET
    subscription: None | Unset | VerifiedSubscription = UNSET
    feature: None | Unset | VerifiedFeature = UNSET
    rate_limit: None | Unset | VerifiedRateLimit = UNSET
    event: None | Unset | VerifiedEvent = UNSET
    upgrade_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.verified_customer import VerifiedCustomer  # noqa: PLC0415
        from ..models.verified_event import VerifiedEvent  # noqa: PLC0415
        from ..models.verified_feature import VerifiedFeature  # noqa: PLC0415
        from ..models.verified_rate_limit import VerifiedRateLimit  # noqa: PLC0415
        from ..models.verified_subscription import VerifiedSubscription  # noqa: PLC0415

        valid = self.valid

        code = self.code.value

        customer: dict[str, Any] | None | Unset
        if isinstance(self.customer, Unset):
            customer = UNSET
        elif isinstance(self.customer, VerifiedCustomer):
            customer = self.customer.to_dict()
        else:
            customer = self.customer

        subscription: dict[str, Any] | None | Unset
        if isinstance(self.subscription, Unset):
            subscription = UNSET
        elif isinstance(self.subscription, VerifiedSubscription):
            subscription = self.subscription.to_dict()
        else:
            subscription = self.subscription

        feature: dict[str, Any] | None | Unset
        if isinstance(self.feature, Unset):
            feature = UNSET
        elif isinstance(self.feature, VerifiedFeature):
            feature = self.feature.to_dict()
        else:
            feature = self.feature

        rate_limit: dict[str, Any] | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        elif isinstance(self.rate_limit, VerifiedRateLimit):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        event: dict[str, Any] | None | Unset
        if isinstance(self.event, Unset):
            event = UNSET
        elif isinstance(self.event, VerifiedEvent):
            event = self.event.to_dict()
        else:
            event = self.event

        upgrade_url: None | str | Unset
        if isinstance(self.upgrade_url, Unset):
            upgrade_url = UNSET
        else:
            upgrade_url = self.upgrade_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "valid": valid,
                "code": code,
            }
        )
        if customer is not UNSET:
            field_dict["customer"] = customer
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if feature is not UNSET:
            field_dict["feature"] = feature
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if event is not UNSET:
            field_dict["event"] = event
        if upgrade_url is not UNSET:
            field_dict["upgrade_url"] = upgrade_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.verified_customer import VerifiedCustomer  # noqa: PLC0415
        from ..models.verified_event import VerifiedEvent  # noqa: PLC0415
        from ..models.verified_feature import VerifiedFeature  # noqa: PLC0415
        from ..models.verified_rate_limit import VerifiedRateLimit  # noqa: PLC0415
        from ..models.verified_subscription import VerifiedSubscription  # noqa: PLC0415

        d = dict(src_dict)
        valid = d.pop("valid")

        code = VerifyCode(d.pop("code"))

        def _parse_customer(data: object) -> None | Unset | VerifiedCustomer:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                customer_type_1 = VerifiedCustomer.from_dict(data)

                return customer_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VerifiedCustomer, data)

        customer = _parse_customer(d.pop("customer", UNSET))

        def _parse_subscription(data: object) -> None | Unset | VerifiedSubscription:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                subscription_type_1 = VerifiedSubscription.from_dict(data)

                return subscription_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VerifiedSubscription, data)

        subscription = _parse_subscription(d.pop("subscription", UNSET))

        def _parse_feature(data: object) -> None | Unset | VerifiedFeature:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                feature_type_1 = VerifiedFeature.from_dict(data)

                return feature_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VerifiedFeature, data)

        feature = _parse_feature(d.pop("feature", UNSET))

        def _parse_rate_limit(data: object) -> None | Unset | VerifiedRateLimit:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_1 = VerifiedRateLimit.from_dict(data)

                return rate_limit_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VerifiedRateLimit, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        def _parse_event(data: object) -> None | Unset | VerifiedEvent:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                event_type_1 = VerifiedEvent.from_dict(data)

                return event_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VerifiedEvent, data)

        event = _parse_event(d.pop("event", UNSET))

        def _parse_upgrade_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        upgrade_url = _parse_upgrade_url(d.pop("upgrade_url", UNSET))

        verify_response = cls(
            valid=valid,
            code=code,
            customer=customer,
            subscription=subscription,
            feature=feature,
            rate_limit=rate_limit,
            event=event,
            upgrade_url=upgrade_url,
        )

        verify_response.additional_properties = d
        return verify_response

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
