"""Channel settings with secrets in them, as a customer would enter them (shared by the
notify tests)."""

from __future__ import annotations

EMAIL = {
    "smtp_host": "mail.customer.example",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_username": "alerts",
    "smtp_password": "CustomerSecret",
    "from_address": "alerts@customer.example",
    "to_addresses": "noc@customer.example",
}
HOOK = {
    "webhook_url": "https://hooks.customer.example/in/abcdefgh12345",
    "webhook_headers": {"Authorization": "Bearer CustomerToken", "X-Team": "noc"},
}
SMS = {
    "sms_gateway_url": "https://sms.customer.example/send",
    "sms_phone": "13800138000",
    "sms_extra": {"apikey": "SmsApiKey123", "sign": "保障"},
}
