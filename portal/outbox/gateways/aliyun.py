"""Aliyun SMS (阿里云短信服务, Dysmsapi 2017-05-25 `SendSms`), through Alibaba Cloud's SDK.

    CUNBAN_SMS_BACKEND=portal.outbox.gateways.aliyun.AliyunSms
    ALIBABA_CLOUD_ACCESS_KEY_ID=…  ALIBABA_CLOUD_ACCESS_KEY_SECRET=…   (a RAM user allowed SendSms only)

The answer to `SendSms` is `{"Code": "OK", "BizId": …}` or, with HTTP 200 still, an error
code such as `isv.MOBILE_NUMBER_ILLEGAL`; failures of the call itself (throttling, a server
error, a wrong key) come back as HTTP 4xx/5xx, raised by the SDK. Each code is sorted by
`refusal_is_permanent` as docs/notifications.md defines: what retrying cannot mend (a bad
number, a template or signature not approved, no balance) gives the message up, the rest is
retried with the outbox's backoff. The SDK's own retries stay off: the outbox decides.
"""

import json
from typing import TYPE_CHECKING

from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import SendSmsRequest
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.utils_models import Config

from ..senders import SendError
from .base import DeliveryUnknown, TemplateSmsGateway, never_reached
from .templates import template_for, template_values

if TYPE_CHECKING:
    from ..models import OutboxMessage

# Refusals that retrying cannot mend (Aliyun's SendSms error codes).
PERMANENT_CODES = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",  # not a mobile number
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.BLACK_KEY_CONTROL_LIMIT",  # a template value holds a word on Aliyun's blacklist
        "isv.SMS_TEMPLATE_ILLEGAL",  # template not approved, or not this account's
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.SMS_TEMPLATE_PARAMS_ILLEGAL",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.PARAM_NOT_SUPPORT_URL",
        "isv.INVALID_JSON_PARAM",
        "isv.INVALID_PARAMETERS",
        "isv.SMS_CONTENT_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",  # signature (签名) not approved
        "isv.SMS_SIGN_ILLEGAL",
        "isv.SIGN_NAME_ILLEGAL",
        "isv.AMOUNT_NOT_ENOUGH",  # no balance
        "isv.OUT_OF_SERVICE",  # the account is stopped (arrears)
        "isv.ACCOUNT_NOT_EXISTS",
        "isv.ACCOUNT_ABNORMAL",
        "isv.PRODUCT_UN_SUBSCRIPT",
        "isv.PRODUCT_UNSUBSCRIBE",
        "isv.EXTEND_CODE_ERROR",
        "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
        "isv.NOT_SUPPORTED_COUNTRY",
        "isv.COUNTRY_RESTRICTED",
        "isv.SMS_SIGN_NAME_ILLEGAL",
        "isv.CONTENT_MISSING_PARAMETERS",
        # The number's quota for the day (or month) is used up: by the time it renews, a code has
        # expired and a notice is stale; the next event texts again.
        "isv.DAY_LIMIT_CONTROL",
        "isv.BUSINESS_LIMIT_DAY",
        "isv.MONTH_LIMIT_CONTROL",
    }
)


def refusal_is_permanent(code: str) -> bool:
    """Give up on this code? Throttling by the minute or hour (`Throttling.*`,
    `isv.BUSINESS_LIMIT_CONTROL`), Aliyun's own errors (`isp.*`, HTTP 5xx), a wrong or disabled
    key (the operator mends it, then the retries go out) and any code not listed are retried."""
    return code in PERMANENT_CODES


class AliyunSms(TemplateSmsGateway):
    """Sends each message as `SendSms` with its template code, the signature and its values."""

    provider = "Aliyun SMS"
    credential_variables = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    default_region = "cn-hangzhou"

    def __init__(self) -> None:
        super().__init__()
        key_id, secret = self.credentials
        timeout_ms = max(1, int(self.timeout * 1000))
        self.client = Client(
            Config(
                access_key_id=key_id,
                access_key_secret=secret,
                region_id=self.region,
                endpoint=self.host or None,
                protocol=self.scheme.upper(),
                connect_timeout=timeout_ms,
                read_timeout=timeout_ms,
                retry_options=None,  # no retry inside the SDK: a retried send may text twice
            )
        )

    def send(self, message: "OutboxMessage") -> str:
        template = template_for(message, self.templates)
        request = SendSmsRequest(
            phone_numbers=message.to_mobile,
            sign_name=self.sign_name,
            template_code=template.template_id,
            template_param=json.dumps(template_values(message, template), ensure_ascii=False),
            out_id=str(message.pk or ""),
        )
        try:
            response = self.client.send_sms(request)
        except AlibabaCloudException as error:
            # HTTP 4xx/5xx: the call was answered and refused, so nothing was sent.
            code = str(error.code or "")
            if code in ("", "None"):  # the SDK writes a missing code as "None"
                code = f"HTTP{error.status_code}"
            raise SendError(
                f"Aliyun SMS refused the call: {code} (HTTP {error.status_code}) {error.message}",
                permanent=refusal_is_permanent(code),
                code=code,
            ) from error
        except Exception as error:
            # Anything else (the SDK wraps network failures in its UnretryableException) is
            # uncertain, unless the connection was never made.
            if never_reached(error):
                raise SendError(f"Aliyun SMS cannot be reached: {error}", code="network") from error
            raise DeliveryUnknown(f"Aliyun SMS did not answer in time: {error}") from error
        body = response.body
        code = str(getattr(body, "code", "") or "")
        if code == "OK":  # accepted: never a SendError, even without an id
            return str(body.biz_id or "")
        raise SendError(
            f"Aliyun SMS refused the message: {code or 'no code'} {getattr(body, 'message', '')}".strip(),
            permanent=refusal_is_permanent(code),
            code=code or "no-code",
        )
