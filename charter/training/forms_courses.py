"""Forms of the course pages: they check the shape of what is typed; the services in
charter/training/courses.py decide."""

from typing import Any

from django import forms
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from charter.accounts.models import Qualification
from charter.common.versioning import VersionStatus
from charter.standards.models import StandardClause, StandardDocument, StandardVersion
from charter.training.models import Course, CourseVersion


def clauses_offered() -> QuerySet[StandardClause]:
    """The clauses a course may cite: those of each code of conduct's latest published version (and of
    each other standard's), the code of conduct first."""
    latest = StandardVersion.objects.filter(
        document=OuterRef("version__document"), status=VersionStatus.PUBLISHED
    ).order_by("-number")
    return (
        StandardClause.objects.filter(version__status=VersionStatus.PUBLISHED)
        .filter(version=Subquery(latest.values("pk")[:1]))
        .select_related("version__document")
        .order_by("version__document__kind", "version__document__code", "sort_key")
    )


class ClauseChoiceField(forms.ModelMultipleChoiceField[StandardClause]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.version.document} {obj}"


class CourseForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50, help_text=_("Such as service-etiquette."))
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    qualification = forms.ModelChoiceField(
        label=_("Qualification granted"),
        queryset=Qualification.objects.order_by("code"),
        required=False,
        help_text=_(
            "A valid certificate of this course grants this qualification, which routing may require."
        ),
    )
    standard = forms.ModelChoiceField(
        label=_("Standard it introduces"),
        queryset=StandardDocument.objects.order_by("code"),
        required=False,
        help_text=_("Publishing a new version of this standard assigns the course to every staff member."),
    )
    required_before_acknowledgement = forms.BooleanField(
        label=_("Required before acknowledging the standard"), required=False
    )
    is_onboarding = forms.BooleanField(label=_("Assigned to new staff"), required=False)
    onboarding_days = forms.IntegerField(
        label=_("Days new staff have"), min_value=1, max_value=365, initial=30
    )
    standard_days = forms.IntegerField(
        label=_("Days staff have after a new version of the standard"), min_value=1, max_value=365, initial=30
    )
    remedial_days = forms.IntegerField(
        label=_("Days for remedial training"), min_value=1, max_value=365, initial=14
    )
    renewal_notice_days = forms.IntegerField(
        label=_("Days before expiry to remind and re-assign"), min_value=1, max_value=365, initial=30
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, is_new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_new:
            del self.fields["is_active"]

    @staticmethod
    def initial_from(course: Course) -> dict[str, Any]:
        return {
            name: getattr(course, name)
            for name in (
                "code",
                "title_zh",
                "title_en",
                "qualification",
                "standard",
                "required_before_acknowledgement",
                "is_onboarding",
                "onboarding_days",
                "standard_days",
                "remedial_days",
                "renewal_notice_days",
                "is_active",
            )
        }


class CourseVersionForm(forms.Form):
    summary_zh = forms.CharField(
        label=_("Summary (Chinese)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    clauses = ClauseChoiceField(
        label=_("Clauses taught"),
        queryset=StandardClause.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Clauses of the published code of conduct and service standards this course teaches."),
    )
    requires_lessons = forms.BooleanField(label=_("Requires every lesson"), required=False)
    requires_attendance = forms.BooleanField(label=_("Requires attending a session"), required=False)
    requires_quiz = forms.BooleanField(label=_("Requires passing the quiz"), required=False)
    hours = forms.DecimalField(label=_("Hours credited"), min_value=0, max_digits=4, decimal_places=1)
    issues_certificate = forms.BooleanField(label=_("Issues a certificate"), required=False)
    certificate_valid_days = forms.IntegerField(
        label=_("Certificate valid for (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Blank: the certificate never expires."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["clauses"]
        assert isinstance(field, ClauseChoiceField)  # noqa: S101 (declared above)
        field.queryset = clauses_offered()

    @staticmethod
    def initial_from(version: CourseVersion) -> dict[str, Any]:
        values: dict[str, Any] = {
            name: getattr(version, name)
            for name in (
                "summary_zh",
                "summary_en",
                "requires_lessons",
                "requires_attendance",
                "requires_quiz",
                "hours",
                "issues_certificate",
                "certificate_valid_days",
            )
        }
        values["clauses"] = list(version.clauses.values_list("pk", flat=True))
        return values


class LessonForm(forms.Form):
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_zh = forms.CharField(
        label=_("Lesson text (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "rich-text"}),
        required=False,
        help_text=_(
            "HTML: headings, paragraphs, lists, bold, italics, quotations, links, tables and code. Scripts, "
            "styles and images from other sites are removed."
        ),
    )
    body_en = forms.CharField(
        label=_("Lesson text (English)"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "rich-text"}),
        required=False,
    )
    video_url = forms.CharField(
        label=_("Video link (intranet)"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class LessonFileForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, pictures, Word, Excel, PowerPoint (.pptx) or MP4 video."),
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I checked this version: once published it never changes and staff are taught it from now on."
        ),
        required=True,
    )
