"""Certification tracks, agreements, certificates and the responder pool.

A track lists requirements (courses, live-session attendance, skill sign-offs, signed
agreements, hours of courses: requirement_kinds.py) on two paths: the first certification and
its renewal. A person's eligibility is computed from what they did (`eligibility.py`); a
certificate is issued once per person, track and validity period; certified people may join the
responder pool, which coordinators search and export (only what each person agreed to share).
"""

import base64
import calendar
import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from cohorts.models import Cohort, Skill
from courses.models import language_choices
from training.i18n import active_language, in_active_language, titles_in_active_language
from training.storage import StorageAlias


def private_storage():
    """Certificates' PDFs and pool spreadsheets: `storages["private"]` (no URL)."""
    return StorageAlias("private")


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Agreements ---------------------------------------------------------------------------------
class AgreementForm(WagtailAdminModelForm):
    def clean(self):
        data = super().clean()
        versions = self.formsets.get("versions")
        for form in getattr(versions, "deleted_forms", []):
            if form.instance.pk and form.instance.signatures.exists():
                raise ValidationError(
                    _("Version %(number)s has been signed: it stays, as the record of what "
                      "people agreed to.") % {"number": form.instance.number}
                )  # fmt: skip
        # A translation people signed is the record of what they read: it stays too.
        texts = self.formsets.get("texts")
        for form in getattr(texts, "deleted_forms", []):
            if form.instance.pk and form.instance.signed():
                raise ValidationError(
                    _("Version %(number)s has been signed: it stays, as the record of what "
                      "people agreed to.") % {"number": form.instance.version}
                )  # fmt: skip
        return data


class Agreement(ClusterableModel):
    """A text people sign in the platform (code of conduct, confidentiality). Its versions are
    kept: signing records the version, and a new version asks people to sign again."""

    base_form_class = AgreementForm

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        InlinePanel("versions", label=_("Versions"), min_num=1,
                    help_text=_("Add a new version to change the text: everyone is asked to "
                                "sign it again. A version people signed cannot be edited.")),
        InlinePanel("texts", label=_("In other languages"),
                    help_text=_("The title and text of a version in another language. People "
                                "reading in that language sign the version in it; without one "
                                "they read the original.")),
    ]  # fmt: skip

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def current_version(self):
        return self.versions.order_by("-number").first()

    def text_for(self, number: int, language: str | None = None):
        """The translation of version `number` in `language` (the active one), or None."""
        language = language or active_language()
        return next((t for t in self.texts.all() if t.language == language
                     and t.version == number), None)  # fmt: skip

    @property
    def local_title(self) -> str:
        """The title in the active language, from its newest translation; else the original.
        A query that read the agreement may have given that title (`_local_titles`: language ->
        title or None), in place of its prefetched `texts`."""
        known = self.__dict__.get("_local_titles", {})
        language = active_language()
        if language in known:
            return known[language] or self.title
        newest = in_active_language(sorted(self.texts.all(), key=lambda t: -t.version))
        return newest.title if newest else self.title


class AgreementVersion(Orderable):
    agreement = ParentalKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"))
    changes = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [FieldPanel("number"), FieldPanel("text"), FieldPanel("changes")]

    class Meta(Orderable.Meta):
        verbose_name = _("agreement version")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_once"),
        ]

    def __str__(self):
        return f"{self.agreement} v{self.number}"

    def clean(self):
        self.text = self.text.replace("\r\n", "\n")
        if self.pk:
            before = AgreementVersion.objects.filter(pk=self.pk).values("text", "number").first()
            changed = before and (
                before["text"].replace("\r\n", "\n") != self.text or before["number"] != self.number
            )
            if changed and self.signatures.exists():
                raise ValidationError(
                    _("People have signed this version: add a new version instead.")
                )


class AgreementText(Orderable):
    """An agreement version in another language: what people reading in it sign."""

    agreement = ParentalKey(Agreement, on_delete=models.CASCADE, related_name="texts")
    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))

    panels = [FieldPanel("version"), FieldPanel("language"), FieldPanel("title"),
              FieldPanel("text")]  # fmt: skip

    class Meta(Orderable.Meta):
        verbose_name = _("agreement in another language")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "version", "language"],
                                    name="agreement_text_once"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.title} v{self.version} ({self.language})"

    def signed(self) -> bool:
        """Whether someone signed this text, as it is stored (not as a form may have changed it)."""
        stored = AgreementText.objects.filter(pk=self.pk).values(
            "agreement_id", "version", "language").first()  # fmt: skip
        return bool(stored) and AgreementSignature.objects.filter(
            version__agreement_id=stored["agreement_id"], version__number=stored["version"],
            language=stored["language"],
        ).exists()  # fmt: skip

    def clean(self):
        self.text = self.text.replace("\r\n", "\n")
        if self.pk and self.signed():
            before = AgreementText.objects.values("text", "version", "language").get(pk=self.pk)
            if (before["text"].replace("\r\n", "\n"), before["version"], before["language"]) != (
                self.text,
                self.version,
                self.language,
            ):
                raise ValidationError(
                    _("People have signed this version: add a new version instead.")
                )


class AgreementSignature(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agreement_signatures"
    )
    version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_at = models.DateTimeField(default=timezone.now)
    # The language of the text the person read and signed (the original's when empty).
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="agreement_signed_once"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.version}"


# --- Tracks -------------------------------------------------------------------------------------
def not_this_tracks_skill(skill) -> str:
    return _(
        "“%(skill)s” is not one of this track's skills. Choose one listed under Skills (add it "
        "there and save the track first)."
    ) % {"skill": skill.name}


class TrackForm(WagtailAdminModelForm):
    def clean(self):
        data = super().clean()
        # A skill requirement names one of this track's skills (saved ones: a skill added in
        # this same edit is not a choice yet).
        for form in getattr(self.formsets.get("requirements"), "forms", []):
            if not form.is_valid():  # validates the form first (its errors are shown anyway)
                continue
            skill = form.cleaned_data.get("skill")
            if (
                skill is not None
                and form.cleaned_data.get("kind") == Requirement.Kind.SKILL
                and not form.cleaned_data.get("DELETE")
                and (self.instance.pk is None or track_id_of_skill(skill) != self.instance.pk)
            ):
                form.add_error("skill", not_this_tracks_skill(skill))
        # A skill a requirement names, or people were signed off for, stays (their record).
        for form in getattr(self.formsets.get("skills"), "deleted_forms", []):
            skill = form.instance
            if skill.pk and (
                skill.sign_offs.exists() or Requirement.objects.filter(skill=skill).exists()
            ):
                raise ValidationError(
                    _("“%(skill)s” stays: a requirement names it or trainers signed it off for "
                      "someone. Remove the requirement first; a skill signed off stays as "
                      "people's record.") % {"skill": skill.name}
                )  # fmt: skip
        return data


class Track(ClusterableModel):
    class Approval(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic when every requirement is met")
        COORDINATOR = "coordinator", _("A coordinator approves each certification")

    base_form_class = TrackForm

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    organisation = models.CharField(
        _("issuing organisation"), max_length=200, blank=True,
        help_text=_("Printed on certificates. Empty: the platform's organisation."),
    )  # fmt: skip
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=24)
    renewal_opens_days = models.PositiveSmallIntegerField(
        _("renewal opens (days before expiry)"), default=90
    )
    approval = models.CharField(_("certification"), max_length=20, choices=Approval.choices,
                                default=Approval.AUTOMATIC)  # fmt: skip
    grants_pool = models.BooleanField(
        _("certified people may join the responder pool"), default=True
    )
    active = models.BooleanField(_("open to new people"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        MultiFieldPanel([FieldPanel("title"), FieldPanel("slug"), FieldPanel("description"),
                         FieldPanel("organisation")], heading=_("Track")),
        MultiFieldPanel([FieldPanel("approval"), FieldPanel("validity_months"),
                         FieldPanel("renewal_opens_days"), FieldPanel("grants_pool"),
                         FieldPanel("active")], heading=_("Certification")),
        InlinePanel("texts", label=_("In other languages"),
                    help_text=_("The track's title and description for people reading in "
                                "another language (also on certificates and the verification "
                                "page).")),
        InlinePanel("skills", label=_("Skills"),
                    help_text=_("Skills a trainer signs off for each person. Every cohort "
                                "preparing for this track shows them to its trainers, so "
                                "members of any cohort can meet a skill requirement.")),
        InlinePanel("requirements", label=_("Requirements"),
                    help_text=_("What a person must do: first on the way to certification, then "
                                "on the renewal path, which opens before the certificate "
                                "expires.")),
    ]  # fmt: skip

    class Meta:
        verbose_name = _("certification track")
        verbose_name_plural = _("certification tracks")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def issuer(self) -> str:
        return self.organisation or settings.ACOMPANA_ORGANISATION

    def _local_text(self):
        """The text in the active language, or None: given by the query that read the track
        (`_local_texts`: language -> TrackText or None), else from prefetched `texts`."""
        known = self.__dict__.get("_local_texts", {})
        language = active_language()
        if language in known:
            return known[language]
        return in_active_language(self.texts.all())

    @property
    def local_title(self) -> str:
        """The title in the active language, when one is given."""
        text = self._local_text()
        return text.title if text else self.title

    @property
    def local_description(self) -> str:
        text = self._local_text()
        return text.description if text and text.description else self.description


class TrackText(Orderable):
    track = ParentalKey(Track, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("language"), FieldPanel("title"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("track in another language")
        constraints = [
            models.UniqueConstraint(fields=["track", "language"], name="track_text_once"),
        ]

    def __str__(self):
        return self.title


class TrackSkill(Skill):
    """A skill of a track: a cohorts.Skill shared with every cohort preparing for the track
    (cohorts.shared_skills), edited with the track (an inline panel, hence the ParentalKey). The
    skill itself, its name and its sign-offs are cohorts'; which track it belongs to is ours."""

    skill = models.OneToOneField(
        Skill, on_delete=models.CASCADE, parent_link=True, primary_key=True,
        related_name="track_skill",
    )  # fmt: skip
    track = ParentalKey(Track, on_delete=models.CASCADE, related_name="skills")

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("skill")


class CohortTrack(models.Model):
    """The certification track a cohort prepares for: its live sessions count towards the
    track's attendance requirement, and its trainers sign off the track's skills. Chosen by
    coordinators on the cohort's form (a field certificates adds: certificates.forms)."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.CASCADE, primary_key=True, related_name="track_link"
    )
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, related_name="cohort_links",
        verbose_name=_("certification track"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("certification track")

    def __str__(self):
        return f"{self.cohort_id} · {self.track_id}"


def track_id_of_skill(skill: Skill) -> int | None:
    """The id of the track `skill` belongs to, or None (a cohort's or a course's skill)."""
    if isinstance(skill, TrackSkill):
        return skill.track_id
    try:
        return skill.track_skill.track_id
    except TrackSkill.DoesNotExist:
        return None


def track_of(cohort: Cohort) -> Track | None:
    """The certification track `cohort` prepares for, or None (one query, none when the link
    was read with the cohort: select_related("track_link__track"))."""
    relation = Cohort._meta.get_field("track_link")
    if relation.is_cached(cohort):
        link = relation.get_cached_value(cohort)
    else:
        link = CohortTrack.objects.select_related("track").filter(cohort=cohort.pk).first()
    return link.track if link is not None else None


# The one field each kind of requirement (Requirement.Kind) needs, set, every other one empty:
# Requirement.clean says so in the track editor, a CheckConstraint per kind in the database.
# (Out here for Requirement.Meta to read it.) What a kind does with its field (its label, link,
# evidence and check) is in requirement_kinds.py.
REQUIREMENT_FIELDS = {
    "course": "course",
    "skill": "skill",
    "agreement": "agreement",
    "attendance": "min_attendance",
    "continuing_education": "min_hours",
}


class Requirement(Orderable):
    class Path(models.TextChoices):
        INITIAL = "initial", _("To be certified")
        RENEWAL = "renewal", _("To renew")

    class Kind(models.TextChoices):
        COURSE = "course", _("Course completed")
        ATTENDANCE = "attendance", _("Live sessions attended")
        SKILL = "skill", _("Skill signed off by a trainer")
        AGREEMENT = "agreement", _("Agreement signed")
        CONTINUING_EDUCATION = "continuing_education", _("Hours of courses completed")

    track = ParentalKey(Track, on_delete=models.CASCADE, related_name="requirements")
    path = models.CharField(_("path"), max_length=10, choices=Path.choices, default=Path.INITIAL)
    kind = models.CharField(_("requirement"), max_length=20, choices=Kind.choices)
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, null=True,
                               blank=True, related_name="+", verbose_name=_("course"))  # fmt: skip
    skill = models.ForeignKey(
        "cohorts.Skill", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("skill"), limit_choices_to={"track_skill__isnull": False},
        help_text=_("One of this track's skills (listed above; save the track first to choose "
                    "a new one). Every cohort preparing for the track can sign it off."),
    )  # fmt: skip
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("agreement"))  # fmt: skip
    min_attendance = models.PositiveSmallIntegerField(
        _("minimum share of live sessions (%)"), null=True, blank=True,
        help_text=_("Of the sessions of the person's cohorts on this track. Catching up from a "
                    "recording counts where the cohort allows it."),
    )  # fmt: skip
    min_hours = models.DecimalField(
        _("minimum hours of courses"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("Hours of any courses completed on this path (on the renewal path, since it "
                    "opened), as each course estimates them."),
    )  # fmt: skip

    panels = [
        FieldPanel("path"),
        FieldPanel("kind"),
        FieldPanel("course"),
        FieldPanel("skill"),
        FieldPanel("agreement"),
        FieldPanel("min_attendance"),
        FieldPanel("min_hours"),
    ]

    FIELD_FOR_KIND = REQUIREMENT_FIELDS
    # Kind -> its RequirementKind: filled by requirement_kinds.register (this module cannot
    # import that one, which reads these models).
    KINDS: dict = {}

    class Meta(Orderable.Meta):
        verbose_name = _("requirement")
        constraints = [
            *(
                models.CheckConstraint(
                    condition=~Q(kind=kind)
                    | Q(**{f"{field}__isnull": field != needed
                           for field in REQUIREMENT_FIELDS.values()}),
                    name=f"requirement_{kind}_needs_{needed}",
                )
                for kind, needed in REQUIREMENT_FIELDS.items()
            ),
            models.CheckConstraint(condition=Q(min_hours__isnull=True) | Q(min_hours__gt=0),
                                   name="requirement_min_hours_positive"),
        ]  # fmt: skip

    def __str__(self):
        return str(self.label)

    def clean(self):
        needed = self.FIELD_FOR_KIND.get(self.kind)
        errors = {}
        for field in self.FIELD_FOR_KIND.values():
            value = getattr(self, self._meta.get_field(field).attname)
            if field == needed and value in (None, ""):
                errors[field] = _("This requirement needs it.")
            elif field != needed and value not in (None, ""):
                errors[field] = _("Leave this empty for this kind of requirement.")
        # What the kind checks beyond that (a skill of this track, a share between 1 and 100…).
        if needed and needed not in errors:
            errors.update(self.KINDS[self.kind].clean(self))
        if errors:
            raise ValidationError(errors)

    @property
    def label(self) -> str:
        """What the person must do, in the active language (its kind says)."""
        return self.KINDS[self.kind].label(self)

    def course_title(self) -> str:
        """The course's title in the active language (its translation's), once per language."""
        titles = self.__dict__.setdefault("_course_titles", {})
        language = active_language()
        if language not in titles:
            local = titles_in_active_language([self.course])
            titles[language] = local.get(self.course.translation_key, self.course.title)
        return titles[language]


class RequirementException(models.Model):
    """A coordinator counts one requirement as met for one person, with a recorded reason. It
    serves one certification: issuing a certificate uses it up."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE,
                                    related_name="exceptions")  # fmt: skip
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")  # fmt: skip
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")  # fmt: skip
    granted_at = models.DateTimeField(default=timezone.now)
    certificate = models.ForeignKey("Certificate", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="exceptions_used")  # fmt: skip
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "user"],
                condition=Q(certificate__isnull=True, withdrawn_at__isnull=True),
                name="one_open_exception",
            ),
        ]

    def __str__(self):
        return f"{self.requirement_id} · {self.user_id}"


# --- Certificates -------------------------------------------------------------------------------
# The revocation reason of a certificate withdrawn because its holder deleted their account
# (services.certificates_withdraw): a control character no coordinator types, shown translated.
ACCOUNT_DELETED = "\x01account-deleted"


def new_verification_code() -> str:
    """128 random bits, base32 (26 characters, no padding, no look-alike case issues)."""
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


class Certificate(models.Model):
    class Name(models.TextChoices):
        DISPLAY = "display", _("My display name")
        LEGAL = "legal", _("My legal name")

    class Pdf(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be prepared")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="certificates")  # fmt: skip
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="certificates")
    # 1 for the first certification, 2 for the first renewal…
    period = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=32, unique=True, default=new_verification_code,
                            editable=False)  # fmt: skip
    name_choice = models.CharField(max_length=10, choices=Name.choices, default=Name.DISPLAY)
    name_on_certificate = models.CharField(max_length=300)
    language = models.CharField(max_length=10)
    issued_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateField()
    expires_on = models.DateField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")  # fmt: skip
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)  # private: never shown on /verify/
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")  # fmt: skip
    expiry_recorded = models.BooleanField(default=False)
    pdf = models.FileField(storage=private_storage, upload_to="certificates/", blank=True)
    pdf_status = models.CharField(max_length=10, choices=Pdf.choices, default=Pdf.PENDING)
    pdf_fingerprint = models.CharField(max_length=64, blank=True)
    # The content of the render queued or running now, and since when: the same content is not
    # queued twice while it is (services.certificate_pdf_queue).
    pdf_queued_fingerprint = models.CharField(max_length=64, blank=True)
    pdf_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "track", "period"],
                                    name="certificate_once_per_period"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["user", "expires_on"])]

    def __str__(self):
        return f"{self.track} · {self.user_id} · {self.period}"

    def state(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if self.revoked_at:
            return "revoked"
        if today > self.expires_on:
            return "expired"
        return "valid"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state()])

    @property
    def withdrawn(self) -> bool:
        """Withdrawn when its holder deleted their account: revoked, and naming nobody."""
        return self.revoked_at is not None and self.revoked_reason == ACCOUNT_DELETED

    @property
    def pdf_stalled(self) -> bool:
        """Being prepared, but no render is queued or running any more (a lost task, a worker
        killed at its hard time limit): its holder may ask again."""
        if self.pdf_status != self.Pdf.PENDING:
            return False
        return self.pdf_queued_at is None or self.pdf_queued_at < timezone.now() - RENDER_CLAIM


# A render waits, runs and retries within this (tasks.render_certificate: 90 s at most a try, three
# retries); a claim older than this belongs to a render that was lost.
RENDER_CLAIM = timedelta(minutes=10)


STATE_LABELS = {
    "valid": _("Valid"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
}


def valid_certificates(today: date | None = None):
    today = today or timezone.localdate()
    return Certificate.objects.filter(revoked_at__isnull=True, expires_on__gte=today)


class CertificationRequest(models.Model):
    """The coordinators' queue, for tracks where a coordinator approves each certification."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a coordinator")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="certification_requests")  # fmt: skip
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="requests")
    period = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")  # fmt: skip
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "track", "period"],
                                    name="certification_request_once"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.track_id} · {self.user_id} · {self.status}"


class EligibilitySnapshot(models.Model):
    """The last computed eligibility of a person for a track, for coordinators' lists."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")  # fmt: skip
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="snapshots")
    path = models.CharField(max_length=10)
    met = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    eligible = models.BooleanField()
    missing = models.JSONField(default=list)  # ids of the requirements still open
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="eligibility_snapshot_once"),
        ]

    def __str__(self):
        return f"{self.track_id} · {self.user_id} · {self.met}/{self.total}"


class CertificationEvent(models.Model):
    """Everything that happened to a person's certification on a track (coordinators read it).
    `note` holds reasons (an exception's, a revocation's): never public."""

    class Kind(models.TextChoices):
        ELIGIBLE = "eligible", _("Met every requirement")
        REQUESTED = "requested", _("Waiting for a coordinator's approval")
        APPROVED = "approved", _("Approved by a coordinator")
        DECLINED = "declined", _("Declined by a coordinator")
        ISSUED = "issued", _("Certificate issued")
        RENEWED = "renewed", _("Certificate renewed")
        EXCEPTION = "exception", _("Exception granted")
        EXCEPTION_WITHDRAWN = "exception_withdrawn", _("Exception withdrawn")
        REMINDED = "reminded", _("Reminded of the renewal")
        EXPIRED = "expired", _("Certificate expired")
        REVOKED = "revoked", _("Certificate revoked")
        POOL_REMOVED = "pool_removed", _("Removed from the responder pool")
        PDF_FAILED = "pdf_failed", _("The PDF could not be prepared")
        PDF_DOWNLOADED = "pdf_downloaded", _("Certificate PDF downloaded by a coordinator")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")  # fmt: skip
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="events")
    certificate = models.ForeignKey(Certificate, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="events")  # fmt: skip
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")  # fmt: skip
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.kind} · {self.user_id}"


# --- The responder pool -------------------------------------------------------------------------
class PoolMember(models.Model):
    """A certified volunteer in the responder pool, and what they agreed coordinators may see and
    export. The display name is always shown; everything else only with its `share_` consent."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Available")
        PAUSED = "paused", _("Paused")
        LEFT = "left", _("Left the pool")
        REMOVED = "removed", _("No longer certified")

    LEVELS = [
        ("native", _("First language")),
        ("fluent", _("Fluent")),
        ("working", _("Working knowledge")),
    ]
    FOCUS_AREAS = [
        ("harassment", _("Harassment response")),
        ("accompaniment", _("Feminist accompaniment")),
        ("secondary_trauma", _("Secondary-trauma peer support")),
        ("digital_security", _("Digital security")),
        ("documentation", _("Documenting abuse")),
        ("legal_orientation", _("Legal orientation")),
    ]
    CHANNELS = [
        ("chat", _("Text chat")),
        ("email", _("Email")),
        ("phone", _("Phone")),
        ("video", _("Video call")),
        ("in_person", _("In person")),
    ]

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="pool_member")  # fmt: skip
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    joined_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    left_at = models.DateTimeField(null=True, blank=True)

    languages = models.JSONField(default=list, blank=True)  # [{"code": "es", "level": "native"}]
    region = models.CharField(_("region"), max_length=120, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    focus_areas = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True,
                                                      blank=True)  # fmt: skip
    # The pool's own address; empty: the sign-in email is the one shared (if share_email).
    # Shared only once confirmed (certificates/pool_email.py); until then, no email at all.
    contact_email = models.EmailField(_("email for the pool"), blank=True)
    contact_email_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact_phone = models.CharField(_("phone or messaging number"), max_length=60, blank=True)
    contact_other = models.CharField(_("other contact (e.g. a Signal username)"),
                                     max_length=120, blank=True)  # fmt: skip

    share_languages = models.BooleanField(_("my languages"), default=False)
    share_region = models.BooleanField(_("my region"), default=False)
    share_time_zone = models.BooleanField(_("my time zone"), default=False)
    share_focus_areas = models.BooleanField(_("my focus areas"), default=False)
    share_channels = models.BooleanField(_("the channels I offer"), default=False)
    share_availability = models.BooleanField(_("my availability"), default=False)
    # Each contact is its own consent: someone reachable only on Signal shares only that.
    share_email = models.BooleanField(_("my email address"), default=False)
    share_phone = models.BooleanField(_("my phone or messaging number"), default=False)
    share_other = models.BooleanField(_("my other contact"), default=False)

    # "|es|en|": filters match a whole code with a portable LIKE (kept by save()).
    language_index = models.CharField(max_length=200, blank=True, editable=False)
    focus_index = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["status", "time_zone"])]

    def __str__(self):
        return f"{self.user_id} · {self.status}"

    def save(self, *args, **kwargs):
        self.language_index = _index(item["code"] for item in self.languages)
        self.focus_index = _index(self.focus_areas)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "language_index", "focus_index"}
        super().save(*args, **kwargs)

    @property
    def in_pool(self) -> bool:
        return self.status in (self.Status.ACTIVE, self.Status.PAUSED)

    @property
    def contact_email_pending(self) -> bool:
        """A pool email its owner has not confirmed yet: nothing is shared for it."""
        return bool(self.contact_email) and self.contact_email_confirmed_at is None


def _index(codes) -> str:
    codes = [c for c in codes if c]
    return "|" + "|".join(codes) + "|" if codes else ""


class PoolExport(models.Model):
    """A spreadsheet of the pool built in Celery; its file is deleted when the link expires."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="+")  # fmt: skip
    filters = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="exports/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.pk} · {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A coordinator's token for the read-only pool API. Only its hash is stored; the token is
    shown once, when it is created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="pool_api_tokens")  # fmt: skip
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("What uses it, e.g. “Zammad helpdesk”."))  # fmt: skip
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
