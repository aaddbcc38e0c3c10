"""Tencent Cloud SMS (腾讯云短信, SMS 2021-01-11 `SendSms`), through Tencent Cloud's SDK.

    CUNBAN_SMS_BACKEND=portal.outbox.gateways.tencent.TencentSms
    CUNBAN_SMS_APP_ID=1400000000                      (the SMS application's SdkAppId)
    TENCENTCLOUD_SECRET_ID=…  TENCENTCLOUD_SECRET_KEY=…  (a CAM user allowed sms:SendSms only)

Requests are signed with TC3-HMAC-SHA256. Tencent's templates number their variables (`{1}`,
`{2}`), so every entry of CUNBAN_SMS_TEMPLATES lists its variables in order. An error of the
call (`Response.Error.Code`) and the status of the one number (`SendStatusSet[0].Code`) are
sorted by `refusal_is_permanent` as docs/notifications.md defines. The SDK's retryer stays
off: the outbox decides when to try again.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111.models import SendSmsRequest
from tencentcloud.sms.v20210111.sms_client import SmsClient

from ..senders import SendError
from .base import DeliveryUnknown, TemplateSmsGateway, never_reached
from .templates import template_for, template_values

if TYPE_CHECKING:
    from ..models import OutboxMessage

# Refusals that retrying cannot mend (Tencent Cloud SMS error codes).
PERMANENT_CODES = frozenset(
    {
        "InvalidParameterValue.IncorrectPhoneNumber",  # not a mobile number
        "FailedOperation.PhoneNumberInBlacklist",
        "FailedOperation.PhoneNumberParseFail",
        "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
        "UnsupportedOperation.UnsupportedRegion",
        "FailedOperation.SignatureIncorrectOrUnapproved",  # signature (签名) not approved
        "FailedOperation.MissingSignature",
        "FailedOperation.MissingSignatureList",
        "FailedOperation.TemplateIncorrectOrUnapproved",  # template not approved
        "FailedOperation.MissingTemplate",
        "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
        "FailedOperation.TemplateUnapprovedOrNotExist",
        "InvalidParameterValue.TemplateParameterFormatError",
        "InvalidParameterValue.TemplateParameterLengthLimit",
        "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
        "InvalidParameterValue.ContentLengthLimit",
        "InvalidParameterValue.InvalidTemplateFormat",
        "FailedOperation.ContainSensitiveWord",
        "FailedOperation.InsufficientBalanceInSmsPackage",  # no balance
        "FailedOperation.MarketingSendTimeConstraint",
        "InvalidParameterValue.SdkAppIdNotExist",
        "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
        "UnauthorizedOperation.SerivceSuspendDueToArrears",  # sic: Tencent's spelling
        "UnauthorizedOperation.ServiceSuspendDueToArrears",
    }
)

PERMANENT_PREFIXES = ("InvalidParameterValue.", "FailedOperation.Template")


def refusal_is_permanent(code: str) -> bool:
    """Give up on this code? Frequency limits (`LimitExceeded.*`, `RequestLimitExceeded`),
    Tencent's own errors (`InternalError.*`, a non-200 answer), a wrong or disabled key
    (`AuthFailure.*`: the operator mends it, then the retries go out) and any code not listed
    are retried."""
    return code in PERMANENT_CODES or code.startswith(PERMANENT_PREFIXES)


class TencentSms(TemplateSmsGateway):
    """Sends each message as `SendSms` with the app id, template id, signature and values."""

    provider = "Tencent Cloud SMS"
    credential_variables = ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
    default_region = "ap-guangzhou"
    needs_variable_lists = True

    @classmethod
    def configuration_problems(cls) -> list[str]:
        problems = super().configuration_problems()
        if not (getattr(settings, "CUNBAN_SMS_APP_ID", "") or "").strip():
            problems.append("CUNBAN_SMS_APP_ID (the SMS application's SdkAppId) is empty.")
        return problems

    def __init__(self) -> None:
        super().__init__()
        secret_id, secret_key = self.credentials
        self.app_id: str = settings.CUNBAN_SMS_APP_ID.strip()
        http = HttpProfile(
            protocol=self.scheme,
            endpoint=self.host or None,
            reqTimeout=self.timeout,
        )
        # No retryer, no region breaker (it would switch to a backup endpoint by itself).
        profile = ClientProfile(httpProfile=http, disable_region_breaker=True, retryer=None)
        self.client = SmsClient(Credential(secret_id, secret_key), self.region, profile)

    def send(self, message: "OutboxMessage") -> str:
        template = template_for(message, self.templates)
        request = SendSmsRequest()
        request.PhoneNumberSet = [f"+86{message.to_mobile}"]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template.template_id
        request.TemplateParamSet = list(template_values(message, template).values())
        request.SessionContext = str(message.pk or "")
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            code = str(error.code or "")
            if code == "ServerNetworkError":  # a non-200 answer (a gateway's 5xx): not taken
                raise SendError(
                    f"Tencent Cloud SMS answered an error: {error.message}"[:500], code=code
                ) from error
            if code in ("ClientNetworkError", "ConnectionError", "ReadTimeout", "ChunkedEncodingError"):
                if never_reached(error):
                    raise SendError(
                        f"Tencent Cloud SMS cannot be reached: {error.message}", code="network"
                    ) from error
                raise DeliveryUnknown(f"Tencent Cloud SMS did not answer in time: {error.message}") from error
            if code in ("ClientError", "ClientParamsError"):  # refused by the SDK before sending
                raise SendError(f"Tencent Cloud SMS request not sent: {error.message}", code=code) from error
            if error.requestId is None:
                # Raised by the SDK itself, not an answer of Tencent's (e.g. unreadable JSON).
                raise DeliveryUnknown(f"Tencent Cloud SMS gave no readable answer: {error}") from error
            raise SendError(
                f"Tencent Cloud SMS refused the call: {code} {error.message}",
                permanent=refusal_is_permanent(code),
                code=code,
            ) from error
        statuses = response.SendStatusSet or []
        if not statuses:
            raise DeliveryUnknown("Tencent Cloud SMS answered without a status for the number.")
        status = statuses[0]
        code = str(status.Code or "")
        if code.lower() == "ok":  # accepted: never a SendError, even without an id
            return str(status.SerialNo or "")
        raise SendError(
            f"Tencent Cloud SMS refused the message: {code or 'no code'} {status.Message or ''}".strip(),
            permanent=refusal_is_permanent(code),
            code=code or "no-code",
        )
