"""Care for the people who accompany others (issue 22): private well-being check-ins, debrief
requests to a cohort's trainers, a private self-care plan, each cohort's choice of weekly
check-ins, and a page of support resources that editors keep in Wagtail.

What a person answers in a check-in is theirs only: no view, export or admin screen shows one
to anybody else; trainers read totals of whole batches of CARE_MIN_GROUP people's answers
(CheckInBatch, care.selectors).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from training.models import ChildRoutingMixin

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class CareSettings(models.Model):
    """A cohort's care choices, set by its trainers."""

    cohort = models.OneToOneField(
        "cohorts.Cohort", on_delete=models.CASCADE, related_name="care_settings"
    )
    weekly_checkins = models.BooleanField(
        _("weekly check-ins"),
        default=False,
        help_text=_(
            "Once a week, members are invited on their dashboard to a private check-in. You "
            "only ever see totals of at least five answers, never one person's answers."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("care settings")
        verbose_name_plural = _("care settings")

    def __str__(self):
        return f"{self.cohort_id} · weekly={self.weekly_checkins}"


class CheckInBatch(models.Model):
    """The first answers of five people in one group of a cohort (its check-ins after one heavy
    module, or after none), counted in the trainers' totals together or not at all. Formed once,
    when the fifth person not yet in a batch of the group answers (care.services); dropped for
    good as soon as any of its answers is deleted (care.signals), and its people never count in
    the group again while their answer is kept: whatever is deleted, the totals change by whole
    batches, never by one person."""

    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    formed_at = models.DateTimeField(default=timezone.now)
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cohort", "module"], name="care_batch_live",
                                condition=Q(dropped_at__isnull=True))]  # fmt: skip

    def __str__(self):
        return f"check-in batch {self.pk}"


class CheckIn(models.Model):
    """One private check-in: how the person carries what they learn, their energy, whether they
    would like a debrief. Only the person ever reads it."""

    class Kind(models.TextChoices):
        AFTER_MODULE = "after_module", _("After a heavy module")
        WEEKLY = "weekly", _("Weekly check-in")
        OWN = "own", _("On my own")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_checkins"
    )
    # The cohort and module it counts in for the trainers' aggregates (never shown singly).
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The batch it counts in (CheckInBatch), set once: never moved to another, even after its
    # batch was dropped (it would then tell the deleted answer apart).
    batch = models.ForeignKey(
        CheckInBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OWN)
    carrying = models.PositiveSmallIntegerField(_("how are you carrying this?"), validators=SCALE)
    energy = models.PositiveSmallIntegerField(_("your energy"), validators=SCALE)
    wants_debrief = models.BooleanField(_("would you like a debrief?"), default=False)
    note = models.TextField(_("a note for yourself"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "kind", "cohort", "-created_at"],
                                name="care_checkin_due")]  # fmt: skip
        constraints = [
            models.CheckConstraint(condition=Q(carrying__gte=1, carrying__lte=5),
                                   name="care_checkin_carrying_scale"),
            models.CheckConstraint(condition=Q(energy__gte=1, energy__lte=5),
                                   name="care_checkin_energy_scale"),
        ]  # fmt: skip

    def __str__(self):
        return f"check-in {self.pk}"


class DebriefRequest(models.Model):
    """A person asked their cohort's trainers to talk. It holds only what the person chose to
    say; nothing links it to their check-ins."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_debrief_requests"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.CASCADE, related_name="care_debrief_requests"
    )
    message = models.TextField(_("what you would like to say"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One open request per person and cohort: a second one waits for the first.
            models.UniqueConstraint(fields=["user", "cohort"], condition=Q(handled_at__isnull=True),
                                    name="care_one_open_debrief_request"),
        ]  # fmt: skip

    def __str__(self):
        return f"debrief request {self.pk}"


class SelfCarePlan(models.Model):
    """A person's own self-care plan: never shown to anyone else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_plan"
    )
    signals = models.TextField(_("signals that I need to take care of myself"), blank=True,
                               max_length=4000)  # fmt: skip
    what_helps = models.TextField(_("what helps me"), blank=True, max_length=4000)
    who_to_call = models.TextField(_("who I can call"), blank=True, max_length=4000)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"self-care plan {self.pk}"

    @property
    def empty(self) -> bool:
        return not (self.signals or self.what_helps or self.who_to_call)


# --- Support resources (a Wagtail page editors keep) ---------------------------------------------
class ResourceBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"), max_length=200)
    description = blocks.TextBlock(label=_("Description"), required=False)
    region = blocks.CharBlock(label=_("Region"), max_length=120, required=False,
                              help_text=_("A country, a region, or “Everywhere”."))  # fmt: skip
    languages = blocks.CharBlock(label=_("Languages"), max_length=200, required=False,
                                 help_text=_("The languages it answers in."))  # fmt: skip
    link = blocks.URLBlock(label=_("Link"), required=False)
    phone = blocks.CharBlock(label=_("Phone"), max_length=60, required=False)

    class Meta:
        icon = "help"
        label = _("Resource")
        template = "care/blocks/resource.html"


class SupportResourcesPage(ChildRoutingMixin, Page):
    """Where to find support: helplines, counselling, peer groups, by region and language."""

    introduction = models.TextField(_("introduction"), blank=True)
    resources = StreamField([("resource", ResourceBlock())], verbose_name=_("resources"),
                            blank=True)  # fmt: skip

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("resources")]
    parent_page_types = ["training.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("support resources page")
