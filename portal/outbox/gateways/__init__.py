"""Adapters for the SMS providers counties use: Aliyun SMS (`aliyun.AliyunSms`) and Tencent
Cloud SMS (`tencent.TencentSms`), chosen by `CUNBAN_SMS_BACKEND` (docs/notifications.md).

Both providers send approved templates with parameters, never free text: `templates` maps each
message to its template and values, `base.TemplateSmsGateway` holds what the two share (the
settings, the credentials check, the reading of network failures), and each adapter speaks its
provider's SDK and sorts the provider's error codes into "retry" and "give up".
"""
