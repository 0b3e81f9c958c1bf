"""URL converters: a certificate's verification code is 26 base32 characters (128 bits)."""

from django.urls import register_converter


class CertificateCode:
    regex = "[A-Za-z2-7]{26}"

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value


register_converter(CertificateCode, "certificate_code")
