"""Contains all the data models used in inputs/outputs"""

from .advance_request import AdvanceRequest
from .aggregation import Aggregation
from .api_key_list import ApiKeyList
from .api_key_object import ApiKeyObject
from .attach_payment_method_request import AttachPaymentMethodRequest
from .billing import Billing
from .bucket_interval import BucketInterval
from .cancel_subscription_request import CancelSubscriptionRequest
from .change_preview import ChangePreview
from .change_subscription_request import ChangeSubscriptionRequest
from .charge_input import ChargeInput
from .charge_model import ChargeModel
from .checkout_session_request import CheckoutSessionRequest
from .checkout_session_response import CheckoutSessionResponse
from .connect_request import ConnectRequest
from .create_api_key_request import CreateApiKeyRequest
from .create_customer_request import CreateCustomerRequest
from .create_endpoint_request import CreateEndpointRequest
from .create_feature_request import CreateFeatureRequest
from .create_plan_request import CreatePlanRequest
from .create_portal_session_request import CreatePortalSessionRequest
from .create_secret_key_request import CreateSecretKeyRequest
from .create_subscription_request import CreateSubscriptionRequest
from .created_api_key import CreatedApiKey
from .created_endpoint import CreatedEndpoint
from .created_secret_key import CreatedSecretKey
from .credit_note_list import CreditNoteList
from .credit_note_request import CreditNoteRequest
from .credit_note_response import CreditNoteResponse
from .credit_reason import CreditReason
from .currency import Currency
from .customer_list import CustomerList
from .customer_response import CustomerResponse
from .customer_response_metadata import CustomerResponseMetadata
from .deleted_customer import DeletedCustomer
from .deleted_endpoint import DeletedEndpoint
from .delivery_list import DeliveryList
from .delivery_response import DeliveryResponse
from .disconnected_stripe_account import DisconnectedStripeAccount
from .dispute_response import DisputeResponse
from .dunning_settings import DunningSettings
from .dunning_update import DunningUpdate
from .email_settings import EmailSettings
from .emails_update import EmailsUpdate
from .endpoint_list import EndpointList
from .endpoint_response import EndpointResponse
from .endpoint_status import EndpointStatus
from .entitlement_input import EntitlementInput
from .entitlement_list import EntitlementList
from .entitlement_response import EntitlementResponse
from .error_body import ErrorBody
from .error_code import ErrorCode
from .error_envelope import ErrorEnvelope
from .error_type import ErrorType
from .event_list import EventList
from .event_response import EventResponse
from .event_response_data import EventResponseData
from .event_type import EventType
from .feature_list import FeatureList
from .feature_response import FeatureResponse
from .feature_type import FeatureType
from .feature_usage import FeatureUsage
from .granularity import Granularity
from .health import Health
from .initial_secret_keys import InitialSecretKeys
from .interval import Interval
from .invoice_list import InvoiceList
from .invoice_response import InvoiceResponse
from .invoice_status import InvoiceStatus
from .invoice_summary import InvoiceSummary
from .line_kind import LineKind
from .line_response import LineResponse
from .login_request import LoginRequest
from .login_response import LoginResponse
from .metadata import Metadata
from .mode import Mode
from .mrr_bucket import MrrBucket
from .mrr_series import MrrSeries
from .overage import Overage
from .payment_list import PaymentList
from .payment_method_response import PaymentMethodResponse
from .payment_response import PaymentResponse
from .payment_status import PaymentStatus
from .pending_change import PendingChange
from .plan_list import PlanList
from .plan_response import PlanResponse
from .portal_session_response import PortalSessionResponse
from .properties import Properties
from .property_value_type_5 import PropertyValueType5
from .rate_limit_input import RateLimitInput
from .rate_limit_spec import RateLimitSpec
from .reason import Reason
from .received import Received
from .redeliver_request import RedeliverRequest
from .refund_response import RefundResponse
from .refund_status import RefundStatus
from .rejected_event import RejectedEvent
from .reset import Reset
from .revenue_month import RevenueMonth
from .revenue_series import RevenueSeries
from .revoked_api_key import RevokedApiKey
from .revoked_portal_session import RevokedPortalSession
from .revoked_secret_key import RevokedSecretKey
from .rotate_api_key_request import RotateApiKeyRequest
from .rotated_secret import RotatedSecret
from .secret_key_list import SecretKeyList
from .secret_key_object import SecretKeyObject
from .signup_request import SignupRequest
from .signup_response import SignupResponse
from .status import Status
from .stripe_account_response import StripeAccountResponse
from .stripe_webhook_body import StripeWebhookBody
from .subscription_list import SubscriptionList
from .subscription_response import SubscriptionResponse
from .summary import Summary
from .tenant_response import TenantResponse
from .tenant_summary import TenantSummary
from .test_clock_response import TestClockResponse
from .tier_input import TierInput
from .tier_response import TierResponse
from .timing import Timing
from .update_customer_request import UpdateCustomerRequest
from .update_endpoint_request import UpdateEndpointRequest
from .update_plan_request import UpdatePlanRequest
from .update_tenant_request import UpdateTenantRequest
from .usage_batch_request import UsageBatchRequest
from .usage_batch_response import UsageBatchResponse
from .usage_by_feature import UsageByFeature
from .usage_event_request import UsageEventRequest
from .usage_point import UsagePoint
from .usage_recorded import UsageRecorded
from .usage_series import UsageSeries
from .usage_threshold_reached import UsageThresholdReached
from .user_summary import UserSummary
from .verified_customer import VerifiedCustomer
from .verified_event import VerifiedEvent
from .verified_feature import VerifiedFeature
from .verified_rate_limit import VerifiedRateLimit
from .verified_subscription import VerifiedSubscription
from .verify_code import VerifyCode
from .verify_request import VerifyRequest
from .verify_response import VerifyResponse

__all__ = (
    "AdvanceRequest",
    "Aggregation",
    "ApiKeyList",
    "ApiKeyObject",
    "AttachPaymentMethodRequest",
    "Billing",
    "BucketInterval",
    "CancelSubscriptionRequest",
    "ChangePreview",
    "ChangeSubscriptionRequest",
    "ChargeInput",
    "ChargeModel",
    "CheckoutSessionRequest",
    "CheckoutSessionResponse",
    "ConnectRequest",
    "CreateApiKeyRequest",
    "CreateCustomerRequest",
    "CreatedApiKey",
    "CreatedEndpoint",
    "CreatedSecretKey",
    "CreateEndpointRequest",
    "CreateFeatureRequest",
    "CreatePlanRequest",
    "CreatePortalSessionRequest",
    "CreateSecretKeyRequest",
    "CreateSubscriptionRequest",
    "CreditNoteList",
    "CreditNoteRequest",
    "CreditNoteResponse",
    "CreditReason",
    "Currency",
    "CustomerList",
    "CustomerResponse",
    "CustomerResponseMetadata",
    "DeletedCustomer",
    "DeletedEndpoint",
    "DeliveryList",
    "DeliveryResponse",
    "DisconnectedStripeAccount",
    "DisputeResponse",
    "DunningSettings",
    "DunningUpdate",
    "EmailSettings",
    "EmailsUpdate",
    "EndpointList",
    "EndpointResponse",
    "EndpointStatus",
    "EntitlementInput",
    "EntitlementList",
    "EntitlementResponse",
    "ErrorBody",
    "ErrorCode",
    "ErrorEnvelope",
    "ErrorType",
    "EventList",
    "EventResponse",
    "EventResponseData",
    "EventType",
    "FeatureList",
    "FeatureResponse",
    "FeatureType",
    "FeatureUsage",
    "Granularity",
    "Health",
    "InitialSecretKeys",
    "Interval",
    "InvoiceList",
    "InvoiceResponse",
    "InvoiceStatus",
    "InvoiceSummary",
    "LineKind",
    "LineResponse",
    "LoginRequest",
    "LoginResponse",
    "Metadata",
    "Mode",
    "MrrBucket",
    "MrrSeries",
    "Overage",
    "PaymentList",
    "PaymentMethodResponse",
    "PaymentResponse",
    "PaymentStatus",
    "PendingChange",
    "PlanList",
    "PlanResponse",
    "PortalSessionResponse",
    "Properties",
    "PropertyValueType5",
    "RateLimitInput",
    "RateLimitSpec",
    "Reason",
    "Received",
    "RedeliverRequest",
    "RefundResponse",
    "RefundStatus",
    "RejectedEvent",
    "Reset",
    "RevenueMonth",
    "RevenueSeries",
    "RevokedApiKey",
    "RevokedPortalSession",
    "RevokedSecretKey",
    "RotateApiKeyRequest",
    "RotatedSecret",
    "SecretKeyList",
    "SecretKeyObject",
    "SignupRequest",
    "SignupResponse",
    "Status",
    "StripeAccountResponse",
    "StripeWebhookBody",
    "SubscriptionList",
    "SubscriptionResponse",
    "Summary",
    "TenantResponse",
    "TenantSummary",
    "TestClockResponse",
    "TierInput",
    "TierResponse",
    "Timing",
    "UpdateCustomerRequest",
    "UpdateEndpointRequest",
    "UpdatePlanRequest",
    "UpdateTenantRequest",
    "UsageBatchRequest",
    "UsageBatchResponse",
    "UsageByFeature",
    "UsageEventRequest",
    "UsagePoint",
    "UsageRecorded",
    "UsageSeries",
    "UsageThresholdReached",
    "UserSummary",
    "VerifiedCustomer",
    "VerifiedEvent",
    "VerifiedFeature",
    "VerifiedRateLimit",
    "VerifiedSubscription",
    "VerifyCode",
    "VerifyRequest",
    "VerifyResponse",
)
