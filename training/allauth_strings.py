"""allauth's own words, repeated here so that our catalogue can say them in the platform's voice.

django-allauth ships its own translations, and its Spanish addresses people as "usted" ("¿Ha
olvidado su contraseña?") and calls the second factor "autenticación de doble factor", while the
platform speaks plainly, with "tú", of "verificación en dos pasos". Django looks a message up in
the catalogues under LOCALE_PATHS before it looks in any app's catalogue, so an msgid that is
also in locales/<lang>/LC_MESSAGES/django.po is said our way everywhere allauth uses it.

makemessages only collects strings from our own files, so this module lists the msgids of the
allauth strings people meet most: sign-in, sign-up, password reset, email confirmation, sign-out,
re-authentication, two-step verification (TOTP and recovery codes), and the messages shown after
those actions. Each msgid must match allauth's exactly, placeholders and punctuation included
(see allauth/locale/es/LC_MESSAGES/django.po); a string that no longer matches after an allauth
upgrade simply stops overriding anything. gettext_noop only marks the strings: nothing imports
this module and nothing needs to.

Plural strings are marked with ngettext_lazy (makemessages collects both forms; the lazy objects
are never evaluated). Not here: the emails, whose templates live in templates/account/email/ and
templates/mfa/email/ with strings of their own. tests/training/test_account_pages_language.py
renders the account pages in Spanish and names any allauth msgid missing from our catalogue.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

ALLAUTH_STRINGS = (
    # Sign in
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
    gettext_noop("Sign In"),
    gettext_noop("Forgot your password?"),
    gettext_noop("Remember Me"),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Too many failed login attempts. Try again later."),
    # Sign in by a code sent by email
    gettext_noop("Send me a sign-in code"),
    gettext_noop("You will receive a special code for a password-free sign-in."),
    gettext_noop("Request Code"),
    gettext_noop("Other sign-in options"),
    gettext_noop("Enter Sign-In Code"),
    gettext_noop(
        "We've sent a code to %(recipient)s. The code expires shortly, so please enter it soon."
    ),
    gettext_noop("A sign-in code has been sent to %(recipient)s."),
    gettext_noop("Code"),
    gettext_noop("Confirm"),
    gettext_noop("Cancel"),
    # Sign up
    gettext_noop("Signup"),
    gettext_noop("Sign Up"),
    gettext_noop("Already have an account? Then please %(link)ssign in%(end_link)s."),
    gettext_noop("Password (again)"),
    gettext_noop("You must type the same password each time."),
    # Password reset
    gettext_noop("Password Reset"),
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an "
        "email allowing you to reset it."
    ),
    gettext_noop("Reset My Password"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam "
        "folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Bad Token"),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been used.  "
        'Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    gettext_noop("Your password is now changed."),
    # Password change
    gettext_noop("Change Password"),
    gettext_noop("Current Password"),
    gettext_noop("Please type your current password."),
    # Email confirmation and "verification sent"
    gettext_noop("Confirm Email Address"),
    gettext_noop(
        'Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address '
        "for user %(user_display)s."
    ),
    gettext_noop(
        "Unable to confirm %(email)s because it is already confirmed by a different account."
    ),
    gettext_noop(
        "This email confirmation link expired or is invalid. Please "
        '<a href="%(email_url)s">issue a new email confirmation request</a>.'
    ),
    gettext_noop("Verify Your Email Address"),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to "
        "finalize the signup process. If you do not see the verification email in your main "
        "inbox, check your spam folder. Please contact us if you do not receive the "
        "verification email within a few minutes."
    ),
    # Changing the email address
    gettext_noop("Email Address"),
    gettext_noop("Current email"),
    gettext_noop("Changing to"),
    gettext_noop("Change to"),
    gettext_noop("Change Email"),
    gettext_noop("Your email address is still pending verification."),
    gettext_noop("Re-send Verification"),
    gettext_noop("Cancel Change"),
    # Sign out
    gettext_noop("Sign Out"),
    gettext_noop("Are you sure you want to sign out?"),
    # Re-authentication (password or second step)
    gettext_noop("Confirm Access"),
    gettext_noop("Please reauthenticate to safeguard your account."),
    gettext_noop("Enter your password:"),
    gettext_noop("Incorrect password."),
    gettext_noop("Alternative options"),
    gettext_noop("Use your password"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("Enter an authenticator code:"),
    # Two-step verification: overview, sign-in step
    gettext_noop("Two-Factor Authentication"),
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an "
        "authenticator code:"
    ),
    gettext_noop("Incorrect code."),
    gettext_noop("Authenticator App"),
    gettext_noop("Authentication using an authenticator app is active."),
    gettext_noop("An authenticator app is not active."),
    gettext_noop("View"),
    gettext_noop("Activate"),
    gettext_noop("Deactivate"),
    gettext_noop("Generate"),
    # Two-step verification: authenticator app
    gettext_noop("Activate Authenticator App"),
    gettext_noop(
        "To protect your account with two-factor authentication, scan the QR code below "
        "with your authenticator app. Then, input the verification code generated by the "
        "app below."
    ),
    gettext_noop("Authenticator secret"),
    gettext_noop(
        "You can store this secret and use it to reinstall your authenticator app at a later time."
    ),
    gettext_noop("Authenticator code"),
    gettext_noop("Deactivate Authenticator App"),
    gettext_noop(
        "You are about to deactivate authenticator app based authentication. Are you sure?"
    ),
    gettext_noop("You cannot deactivate two-factor authentication."),
    # Two-step verification: recovery codes
    gettext_noop("Recovery Codes"),
    gettext_noop("No recovery codes set up."),
    gettext_noop("Unused codes"),
    ngettext_lazy(
        "There is %(unused_count)s out of %(total_count)s recovery codes available.",
        "There are %(unused_count)s out of %(total_count)s recovery codes available.",
        "unused_count",
    ),
    gettext_noop("Download codes"),
    gettext_noop("Generate new codes"),
    gettext_noop("You are about to generate a new set of recovery codes for your account."),
    gettext_noop("This action will invalidate your existing codes."),
    gettext_noop("Are you sure?"),
    # Messages after an action
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop("Password successfully changed."),
    gettext_noop("Password successfully set."),
    gettext_noop("Authenticator app activated."),
    gettext_noop("Authenticator app deactivated."),
    gettext_noop("A new set of recovery codes has been generated."),
    # Two spaces after "them": allauth's msgid has them.
    gettext_noop("Save them  in a secure location now — they won't be shown again."),
)
