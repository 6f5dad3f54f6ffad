"""Channel settings are validated up front, with bilingual errors per field, and become
the Apprise URL of their kind."""

from __future__ import annotations

from typing import Any

import apprise
import pytest
from django.core.exceptions import ValidationError

from baozhang.notify import services
from baozhang.notify.channels import apprise_url, clean_config, masked_config, redact, secret_values


def errors_of(kind: str, config: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        clean_config(kind, config)
    return info.value.message_dict


def test_missing_and_bad_email_settings_name_each_field_in_both_languages() -> None:
    errors = errors_of(
        "email",
        {"smtp_host": "mail.example.com", "from_address": "x", "to_addresses": "a@b.cn, nope"},
    )
    assert set(errors) == {"from_address", "to_addresses"}
    assert errors["from_address"] == ["发件地址“x”无效 / sender address “x” is invalid"]
    assert "收件地址“nope”无效" in errors["to_addresses"][0]
    assert "recipient address “nope” is invalid" in errors["to_addresses"][0]
    required = errors_of("email", {})
    assert set(required) == {"smtp_host", "from_address", "to_addresses"}
    assert required["smtp_host"] == ["smtp_host 为必填项 / smtp_host is required"]


@pytest.mark.parametrize(
    ("kind", "config", "field", "fragment"),
    [
        (
            "email",
            {
                "smtp_host": "h",
                "smtp_port": "99999",
                "from_address": "a@b.cn",
                "to_addresses": "c@d.cn",
            },
            "smtp_port",
            "1 to 65535",
        ),
        (
            "email",
            {
                "smtp_host": "h",
                "smtp_security": "tls9",
                "from_address": "a@b.cn",
                "to_addresses": "c@d.cn",
            },
            "smtp_security",
            "none, starttls or ssl",
        ),
        ("webhook", {"webhook_url": "ftp://example.com/x"}, "webhook_url", "http:// or https://"),
        (
            "webhook",
            {"webhook_url": "https://example.com/x", "webhook_headers": "no equals sign"},
            "webhook_headers",
            "name=value",
        ),
        ("wecom", {"wecom_key": "has spaces!"}, "wecom_key", "WeCom bot key"),
        ("dingtalk", {"dingtalk_token": "tok/en"}, "dingtalk_token", "DingTalk access_token"),
        ("feishu", {"feishu_token": "bad token"}, "feishu_token", "Feishu bot token"),
        (
            "sms",
            {"sms_gateway_url": "http://127.0.0.1/send", "sms_phone": "call me"},
            "sms_phone",
            "5 to 20 digits",
        ),
        (
            "sms",
            {
                "sms_gateway_url": "http://127.0.0.1/send",
                "sms_phone": "13800138000",
                "sms_method": "xml",
            },
            "sms_method",
            "json or form",
        ),
    ],
)
def test_bad_setting_gives_a_field_error(
    kind: str, config: dict[str, Any], field: str, fragment: str
) -> None:
    errors = errors_of(kind, config)
    assert field in errors
    assert fragment in " ".join(errors[field])
    assert " / " in errors[field][0]  # Chinese / English


def test_unknown_kind_is_refused() -> None:
    assert "kind" in errors_of("pager", {})


def test_service_refuses_bad_settings_and_saves_nothing(personas: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.create_channel(
            personas.admin,
            name="x",
            kind="webhook",
            config={"webhook_url": "nope"},
            organisation=personas.org_a,
        )
    assert "webhook_url" in info.value.message_dict
    assert not personas.org_a.notify_channels.exists()


def test_vendor_urls_are_reduced_to_their_keys_and_every_kind_makes_a_valid_apprise_url() -> None:
    configs = {
        "email": {
            "smtp_host": "smtp.example.com",
            "smtp_security": "ssl",
            "smtp_username": "bot",
            "smtp_password": "p@ss:w/rd",
            "from_address": "bot@example.com",
            "to_addresses": ["a@example.com"],
        },
        "webhook": {"webhook_url": "https://hooks.example.com/in/abc?token=s3cr3t-token"},
        "wecom": {
            "wecom_key": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
        },
        "dingtalk": {
            "dingtalk_token": "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789",
            "dingtalk_secret": "SECabc123",
        },
        "feishu": {"feishu_token": "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-4e5f"},
        "sms": {
            "sms_gateway_url": "http://127.0.0.1:9000/send?apikey=k123456",
            "sms_phone": "+86 138 0013 8000",
            "sms_method": "form",
            "sms_message_field": "content",
            "sms_extra": {"sign": "保障"},
        },
    }
    expected = {
        "email": "NotifyEmail",
        "webhook": "NotifyJSON",
        "wecom": "NotifyWeComBot",
        "dingtalk": "NotifyDingTalk",
        "feishu": "NotifyFeishu",
        "sms": "NotifyForm",
    }
    for kind, raw in configs.items():
        config = clean_config(kind, raw)
        plugin = apprise.Apprise.instantiate(apprise_url(kind, config, dedup_key="k:1", timeout=3))
        assert type(plugin).__name__ == expected[kind], kind
    assert (
        clean_config("wecom", configs["wecom"])["wecom_key"]
        == "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    )
    assert clean_config("dingtalk", configs["dingtalk"])["dingtalk_token"] == "abcdef0123456789"
    assert clean_config("feishu", configs["feishu"])["feishu_token"] == "0a1b2c3d-4e5f"
    sms = apprise.Apprise.instantiate(apprise_url("sms", clean_config("sms", configs["sms"])))
    assert sms.payload_extras["phone"] == "+8613800138000"
    assert sms.payload_extras["sign"] == "保障"
    email = apprise.Apprise.instantiate(
        apprise_url("email", clean_config("email", configs["email"]), dedup_key="k:1")
    )
    assert (email.secure_mode, email.port, email.password) == ("ssl", 465, "p@ss:w/rd")
    assert email.headers == {"X-Baozhang-Dedup-Key": "k:1"}


def test_secrets_are_masked_for_display_and_redacted_from_error_text() -> None:
    config = clean_config(
        "webhook", {"webhook_url": "https://hooks.example.com/in/abcdefgh12345?token=s3cr3t-token"}
    )
    assert masked_config("webhook", config) == {
        "webhook_url": "https://hooks.example.com/***",
        "webhook_headers": {},
    }
    text = f"failed: {apprise_url('webhook', config)}"
    cleaned = redact(text, secret_values("webhook", config))
    assert "s3cr3t-token" not in cleaned and "abcdefgh12345" not in cleaned
    assert "hooks.example.com" in cleaned
