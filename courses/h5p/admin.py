"""H5P in the Wagtail admin: editors upload activities; administrators review libraries."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from ..models import H5PActivity, H5PLibrary
from ..services import h5p_activity_create, h5p_library_review
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


class H5PActivityViewSet(ModelViewSet):
    model = H5PActivity
    icon = "media"
    menu_label = _("H5P activities")
    add_view_class = UploadView
    form_fields = ["title", "language"]
    list_display = ["title", "main_library", "language", "status_label", "reasons", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "main_library"]

    def get_form_class(self, for_update=False):
        if for_update:
            return forms.modelform_factory(H5PActivity, fields=["title", "language"])
        return H5PUploadForm


class ReviewView(EditView):
    def save_instance(self):
        status = self.form.cleaned_data["status"]
        if status == H5PLibrary.Status.PENDING:
            return self.form.instance
        return h5p_library_review(
            library=self.form.instance, user=self.request.user,
            approve=status == H5PLibrary.Status.APPROVED,
        )  # fmt: skip


class H5PLibraryViewSet(ModelViewSet):
    """The review queue: a library version the platform has not seen waits here."""

    model = H5PLibrary
    icon = "code"
    menu_label = _("H5P libraries")
    edit_view_class = ReviewView
    form_fields = ["status"]
    list_display = ["machine_name", "version", "status", "reviewed_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["machine_name", "title"]
    inspect_view_enabled = True


class H5PGroup(ModelViewSetGroup):
    menu_label = _("H5P")
    menu_icon = "media"
    items = (H5PActivityViewSet("h5p_activities"), H5PLibraryViewSet("h5p_libraries"))
