"""Django's own words on the account pages, repeated here so that our catalogue says them our way.

Django's Spanish catalogue addresses people as "usted" ("Su contraseña no puede asemejarse tanto a
su otra información personal.", "Introduzca una dirección de correo electrónico válida."), while
the platform speaks with "tú". A message found in the catalogues under LOCALE_PATHS wins over
Django's own (see training/allauth_strings.py for the same idea applied to allauth), so each msgid
below, once translated in locales/<lang>/LC_MESSAGES/django.po, is said our way on every form.

The msgids must match Django's exactly (django/contrib/auth/password_validation.py and
django/forms/fields.py, Django 5.2), placeholders, typographic apostrophes and plural forms
included. Plural messages are marked with ngettext_lazy, which makemessages collects with both
forms; the lazy objects are never evaluated. Nothing imports this module and nothing needs to.

tests/training/test_account_pages_language.py renders the account pages in Spanish and fails on
any msgid that is not in our catalogue: after a Django upgrade it names what to add here.
"""

# Django's msgids use the typographic apostrophe (U+2019): ours must match them to the character.
# ruff: noqa: RUF001

from django.utils.translation import gettext_noop, ngettext_lazy

PASSWORD_VALIDATOR_STRINGS = (
    # UserAttributeSimilarityValidator ("verbose_name" is a field's name: "email address").
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    # MinimumLengthValidator
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        10,
    ),
    # CommonPasswordValidator
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is too common."),
    # NumericPasswordValidator
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("This password is entirely numeric."),
)

FORM_STRINGS = (
    # Any required field left empty.
    gettext_noop("This field is required."),
    # EmailField
    gettext_noop("Enter a valid email address."),
    # A choice (time zone, language) that is not on the list.
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    # CharField with max_length (display name, email).
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
)
