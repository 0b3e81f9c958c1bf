"""H5P in the Wagtail admin: editors upload activities; administrators review libraries."""

from django import forms
from django.db import IntegrityError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from ..models import H5PActivity, H5PLibrary, H5PStatement
from .content_types import completion_for
from .review import library_review
from .services import H5PReviewError, h5p_activity_create, h5p_library_review
from .validator import Limits


class H5PUploadForm(forms.ModelForm):
    class Meta:
        model = H5PActivity
        fields = ["title", "language", "package"]

    def clean_package(self):
        upload = self.cleaned_data["package"]
        if not upload.name.lower().endswith(".h5p"):
            raise forms.ValidationError(_("Choose an .h5p file."))
        limit = Limits.from_settings().max_total_bytes
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}
            )
        return upload


class UploadView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return h5p_activity_create(
            package=data["package"], title=data["title"], language=data["language"],
            uploaded_by=self.request.user,
        )  # fmt: skip

    def get_success_message(self, instance):
        return _("“%(title)s” is being prepared. Its status shows here in a moment.") % {
            "title": instance.title}  # fmt: skip


class ActivityFilterForm(BaseFilterForm):
    q = forms.CharField(label=_("Search term"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("Search")}))  # fmt: skip
    language = forms.ChoiceField(
        label=_("Language"), required=False,
        widget=forms.Select(attrs={"data-chooser-modal-search-filter": True}),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = H5PActivity._meta.get_field("language")
        self.fields["language"].choices = [("", _("All languages")), *field.choices]

    def filter(self, objects):
        if query := self.cleaned_data.get("q"):
            objects = objects.filter(title__icontains=query)
            self.is_searching, self.search_query = True, query
        if language := self.cleaned_data.get("language"):
            objects = objects.filter(language=language)
        return objects


class ReadyActivities:
    """The chooser lists activities ready to play, with what an editor needs to pick one: the
    language of the package (a translation picks the version in its language), the content type
    and how it reports completion."""

    filter_form_class = ActivityFilterForm

    def get_object_list(self):
        return H5PActivity.objects.filter(status=H5PActivity.Status.READY).order_by("title")

    @property
    def columns(self):
        return [
            self.title_column,
            Column("language", label=_("Language"), accessor="get_language_display"),
            Column("main_library", label=capfirst(_("content type"))),
            Column("completion", label=_("Completion"),
                   accessor=lambda activity: completion_for(activity.main_library).label),
        ]  # fmt: skip


class ActivityChooseView(ReadyActivities, ChooseView):
    pass


class ActivityChooseResultsView(ReadyActivities, ChooseResultsView):
    pass


class ActivityChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ActivityChooseView
    choose_results_view_class = ActivityChooseResultsView


class H5PActivityViewSet(SnippetViewSet):
    """Registered as a snippet so that the H5P block (and wagtail-localize's translation editor,
    where a translator picks the version of the exercise in their language) use Wagtail's
    chooser. Listed under the H5P menu, not under Snippets."""

    model = H5PActivity
    icon = "media"
    menu_label = _("H5P activities")
    url_prefix = "h5p_activities"
    menu_item_is_registered = True
    chooser_viewset_class = ActivityChooserViewSet
    add_view_class = UploadView
    form_fields = ["title", "language"]
    list_display = [
        "title",
        Column("main_library", label=capfirst(_("content type"))),
        "language",
        Column("status_label", label=_("Status")),
        Column("reasons", label=_("Why it was refused")),
        DateColumn("created_at", label=_("Uploaded")),
    ]
    list_filter = ["status", "language"]
    search_fields = ["title", "main_library"]

    def get_form_class(self, for_update=False):
        if for_update:
            return forms.modelform_factory(H5PActivity, fields=["title", "language"])
        return H5PUploadForm


class ReviewView(EditView):
    """The review screen: the candidate's files, with their sizes and SHA-256, the other
    candidates uploaded under the same version, and the diff against the closest approved
    version (courses/h5p/review.py)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = library_review(self.object)
        return context

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except H5PReviewError as error:
            form.add_error("status", str(error))
        except IntegrityError:  # approved meanwhile by someone else
            form.add_error("status", _("Other files of this version were approved meanwhile. "
                                       "Reload the page."))  # fmt: skip
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)

    def save_instance(self):
        status = self.form.cleaned_data["status"]
        if status == H5PLibrary.Status.PENDING:
            return self.form.instance
        return h5p_library_review(
            library=self.form.instance, user=self.request.user,
            approve=status == H5PLibrary.Status.APPROVED,
        )  # fmt: skip


class LibraryIndexView(IndexView):
    def get_base_queryset(self):
        # How many other sets of files were uploaded under the same name and version: one
        # subquery, whatever the length of the list.
        others = (
            H5PLibrary.objects.filter(
                machine_name=OuterRef("machine_name"), major_version=OuterRef("major_version"),
                minor_version=OuterRef("minor_version"), patch_version=OuterRef("patch_version"),
            ).exclude(pk=OuterRef("pk")).order_by().values("machine_name")
            .annotate(count=Count("pk")).values("count")
        )  # fmt: skip
        queryset = super().get_base_queryset()
        return queryset.annotate(other_candidates=Coalesce(Subquery(others[:1]), 0))


def _other_candidates(library) -> str:
    count = getattr(library, "other_candidates", 0)
    if not count:
        return ""
    return ngettext(
        "%(count)s other upload brought different files under this version",
        "%(count)s other uploads brought different files under this version", count,
    ) % {"count": count}  # fmt: skip


class H5PLibraryViewSet(ModelViewSet):
    """The review queue: a library version the platform has not seen waits here. Each upload
    that brings other files under a version waiting for review is a candidate of its own."""

    model = H5PLibrary
    icon = "code"
    menu_label = _("H5P libraries")
    index_view_class = LibraryIndexView
    edit_view_class = ReviewView
    edit_template_name = "courses/admin/h5p_library_review.html"
    form_fields = ["status"]
    list_filter = ["status"]
    search_fields = ["machine_name", "title"]
    inspect_view_enabled = True
    inspect_view_fields = ["machine_name", "version", "title", "status", "files_hash",
                           "uploaded_by", "created_at", "reviewed_by", "reviewed_at"]  # fmt: skip

    @property
    def list_display(self):
        return [
            "machine_name", "version", "status",
            Column("other_candidates", label=_("Other files under this version"),
                   accessor=_other_candidates),
            "reviewed_at", "created_at",
        ]  # fmt: skip


class AuditOnly(ModelPermissionPolicy):
    """Statements are evidence: administrators may read them; nobody adds, edits or deletes one
    in the admin (the retention task removes them when their time is up)."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.is_superuser

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)


register_permission_policy(H5PStatement, AuditOnly(H5PStatement))


class StatementIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "module")


class H5PStatementViewSet(ModelViewSet):
    """xAPI statements as the server accepted them, for audit (kept for a limited time)."""

    model = H5PStatement
    icon = "list-ul"
    menu_label = _("H5P statements")
    list_display = ["stored_at", "learner", "module", "verb_name", "sub_content_id",
                    "score_scaled", "counted"]  # fmt: skip
    list_filter = ["counted"]
    inspect_view_enabled = True
    inspect_view_fields = ["id", "stored_at", "learner", "module", "activity_id", "verb",
                           "sub_content_id", "score_scaled", "counted", "raw"]  # fmt: skip
    form_fields = []

    index_view_class = StatementIndexView
    ordering = ["-stored_at"]


class H5PGroup(ModelViewSetGroup):
    menu_label = _("H5P")
    menu_icon = "media"
    items = (
        H5PActivityViewSet(),
        H5PLibraryViewSet("h5p_libraries"),
        H5PStatementViewSet("h5p_statements"),
    )
