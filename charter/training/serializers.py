"""Input and output serializers of the training API. They check shape only; the services decide.

The attempt and verification outputs are plain dicts built by the view (charter/training/api.py), which
decides what the reader may see (no correct answer while an attempt is in progress, the result as the quiz's
review setting allows, only what a certificate prints); these serializers document and render them. Choice
fields are plain strings listing their values, so that names shared with other apps (kind, status, reason)
never collide as enum components of the schema.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from charter.common.models import localized
from charter.common.versioning import VersionStatus
from charter.training.models import (
    Assignment,
    Attempt,
    Certificate,
    Course,
    CourseVersion,
    Lesson,
    LessonFile,
    QuestionVersion,
    Quiz,
)


def _values(choices: Any) -> str:
    return ", ".join(f"`{value}`" for value, _label in choices if value)


class _ChoiceField(serializers.ChoiceField):
    """A ChoiceField over the class's `choices_of`."""

    choices_of: Any = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self.choices_of, **kwargs)


def _choice_field(choices: Any) -> type[_ChoiceField]:
    """A ChoiceField class over `choices`, documented as a string listing them (see the module)."""

    @extend_schema_field({"type": "string", "description": f"One of {_values(choices)}."})
    class Field(_ChoiceField):
        choices_of = choices

    return Field


AssignmentStatusField = _choice_field(Assignment.Status.choices)
AssignmentReasonField = _choice_field(Assignment.Reason.choices)
AttemptStatusField = _choice_field(Attempt.Status.choices)
QuestionKindField = _choice_field(QuestionVersion.Kind.choices)
ReviewField = _choice_field(Quiz.Review.choices)
VersionStatusField = _choice_field(VersionStatus.choices)
CertificateStateField = _choice_field([("valid", "valid"), ("expired", "expired"), ("revoked", "revoked")])
CertificateStatusField = _choice_field(
    [("valid", "valid"), ("expiring", "expiring"), ("expired", "expired"), ("revoked", "revoked")]
)


# Courses ------------------------------------------------------------------------------------------------


class TrainingClauseOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    document = serializers.SerializerMethodField(help_text="The code of the standard the clause belongs to.")
    number = serializers.CharField()
    title = serializers.SerializerMethodField()

    def get_document(self, clause: Any) -> str:
        return str(clause.version.document.code)

    def get_title(self, clause: Any) -> str:
        return localized(clause, "title")


class TrainingLessonFileOutputSerializer(serializers.ModelSerializer[LessonFile]):
    class Meta:
        model = LessonFile
        fields = ["id", "original_name", "content_type", "size", "is_download_only"]
        read_only_fields = fields


class TrainingLessonOutputSerializer(serializers.ModelSerializer[Lesson]):
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(help_text="Sanitised HTML in the reader's language.")
    files = TrainingLessonFileOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Lesson
        fields = ["id", "ordering", "title", "title_zh", "title_en", "body", "video_url", "files"]
        read_only_fields = fields

    def get_title(self, lesson: Lesson) -> str:
        return localized(lesson, "title")

    def get_body(self, lesson: Lesson) -> str:
        return localized(lesson, "body")


class TrainingQuizOutputSerializer(serializers.ModelSerializer[Quiz]):
    review = ReviewField(read_only=True)
    question_count = serializers.SerializerMethodField()

    class Meta:
        model = Quiz
        fields = ["id", "pass_mark", "attempts_allowed", "time_limit_minutes", "review", "question_count"]
        read_only_fields = fields

    def get_question_count(self, quiz: Quiz) -> int:
        return sum(draw.count for draw in quiz.draws.all())


class TrainingCourseVersionOutputSerializer(serializers.ModelSerializer[CourseVersion]):
    status = VersionStatusField(read_only=True)
    summary = serializers.SerializerMethodField()
    clauses = TrainingClauseOutputSerializer(many=True, read_only=True)
    lessons = TrainingLessonOutputSerializer(many=True, read_only=True)
    quiz = serializers.SerializerMethodField()

    class Meta:
        model = CourseVersion
        fields = [
            "id",
            "number",
            "status",
            "published_at",
            "summary",
            "requires_lessons",
            "requires_attendance",
            "requires_quiz",
            "hours",
            "issues_certificate",
            "certificate_valid_days",
            "clauses",
            "lessons",
            "quiz",
        ]
        read_only_fields = fields

    def get_summary(self, version: CourseVersion) -> str:
        return localized(version, "summary")

    @extend_schema_field(TrainingQuizOutputSerializer(allow_null=True))
    def get_quiz(self, version: CourseVersion) -> dict[str, Any] | None:
        quiz = Quiz.objects.filter(version=version).prefetch_related("draws").first()
        return TrainingQuizOutputSerializer(quiz).data if quiz is not None else None


class TrainingVersionBriefOutputSerializer(serializers.ModelSerializer[CourseVersion]):
    status = VersionStatusField(read_only=True)

    class Meta:
        model = CourseVersion
        fields = [
            "id",
            "number",
            "status",
            "published_at",
            "requires_lessons",
            "requires_attendance",
            "requires_quiz",
            "hours",
            "issues_certificate",
            "certificate_valid_days",
        ]
        read_only_fields = fields


class TrainingCourseListOutputSerializer(serializers.ModelSerializer[Course]):
    title = serializers.SerializerMethodField()
    qualification = serializers.SerializerMethodField(
        help_text="The qualification a valid certificate grants."
    )
    published = serializers.SerializerMethodField(help_text="The version staff take now; null before one.")
    draft = serializers.SerializerMethodField(help_text="The draft (only for those who write courses).")

    class Meta:
        model = Course
        fields = [
            "id",
            "code",
            "title",
            "title_zh",
            "title_en",
            "is_active",
            "is_onboarding",
            "qualification",
            "published",
            "draft",
        ]
        read_only_fields = fields

    def get_title(self, course: Course) -> str:
        return localized(course, "title")

    def get_qualification(self, course: Course) -> str | None:
        return course.qualification.code if course.qualification is not None else None

    def _version(self, course: Course, status: str) -> CourseVersion | None:
        versions: dict[tuple[int, str], CourseVersion] = self.context.get("versions", {})
        return versions.get((course.pk, status))

    @extend_schema_field(TrainingVersionBriefOutputSerializer(allow_null=True))
    def get_published(self, course: Course) -> dict[str, Any] | None:
        version = self._version(course, "published")
        return TrainingVersionBriefOutputSerializer(version).data if version is not None else None

    @extend_schema_field(TrainingVersionBriefOutputSerializer(allow_null=True))
    def get_draft(self, course: Course) -> dict[str, Any] | None:
        version = self._version(course, "draft")
        return TrainingVersionBriefOutputSerializer(version).data if version is not None else None


class TrainingCourseDetailOutputSerializer(TrainingCourseListOutputSerializer):
    @extend_schema_field(TrainingCourseVersionOutputSerializer(allow_null=True))
    def get_published(self, course: Course) -> dict[str, Any] | None:
        version = self._version(course, "published")
        return TrainingCourseVersionOutputSerializer(version).data if version is not None else None

    @extend_schema_field(TrainingCourseVersionOutputSerializer(allow_null=True))
    def get_draft(self, course: Course) -> dict[str, Any] | None:
        version = self._version(course, "draft")
        return TrainingCourseVersionOutputSerializer(version).data if version is not None else None


class TrainingCourseCreateInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=50, help_text="Lower-case letters, digits and hyphens.")
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# Assignments --------------------------------------------------------------------------------------------


class TrainingPersonOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class TrainingCourseBriefOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.SerializerMethodField()

    def get_title(self, course: Course) -> str:
        return localized(course, "title")


class TrainingAssignmentOutputSerializer(serializers.ModelSerializer[Assignment]):
    course = TrainingCourseBriefOutputSerializer(read_only=True)
    person = TrainingPersonOutputSerializer(read_only=True)
    reason = AssignmentReasonField(read_only=True)
    status = AssignmentStatusField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="Open and past its due date.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "course",
            "person",
            "due_on",
            "reason",
            "reason_text",
            "source_type",
            "source_id",
            "status",
            "is_overdue",
            "assigned_by",
            "completed_at",
            "certificate",
            "waived_reason",
            "created_at",
        ]
        read_only_fields = fields


class TrainingAssignmentCreateInputSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1, help_text="The staff member asked to take the course.")
    course = serializers.IntegerField(min_value=1, help_text="The course (it needs a published version).")
    due_on = serializers.DateField()
    reason_text = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Why, in your words."
    )


class TrainingWaiveInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=10000, allow_blank=True, trim_whitespace=False)


# Attempts -----------------------------------------------------------------------------------------------


class TrainingOptionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    text = serializers.CharField()


class TrainingAttemptItemOutputSerializer(serializers.Serializer[Any]):
    question_version = serializers.IntegerField(help_text="The id to answer it by.")
    ordering = serializers.IntegerField()
    kind = QuestionKindField()
    text = serializers.CharField()
    points = serializers.DecimalField(max_digits=5, decimal_places=1, help_text="What it is worth.")
    options = TrainingOptionOutputSerializer(many=True, help_text="In the order shown to the taker.")
    chosen = serializers.ListField(child=serializers.IntegerField(), help_text="The options chosen.")
    answer_text = serializers.CharField(allow_blank=True, help_text="The short answer written.")
    answered_at = serializers.DateTimeField(allow_null=True)
    correct = serializers.ListField(
        child=serializers.IntegerField(),
        allow_null=True,
        help_text="The correct options: null while in progress and unless the result shows the answers.",
    )
    points_awarded = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    explanation = serializers.CharField(allow_null=True)
    comment = serializers.CharField(allow_null=True, help_text="The grader's comment on a short answer.")


class TrainingAttemptOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    quiz = serializers.IntegerField()
    course = TrainingCourseBriefOutputSerializer()
    person = TrainingPersonOutputSerializer()
    number = serializers.IntegerField(help_text="1 for the first attempt at this quiz, and so on.")
    status = AttemptStatusField()
    version = serializers.IntegerField(
        help_text="Send it with an answer; a stale one answers 409 `conflict`."
    )
    started_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True, help_text="The server's; null: no time limit.")
    submitted_at = serializers.DateTimeField(allow_null=True)
    timed_out = serializers.BooleanField()
    passed = serializers.BooleanField(allow_null=True, help_text="Null until graded.")
    score = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, help_text="Null unless the result shows the score."
    )
    max_score = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    items = TrainingAttemptItemOutputSerializer(
        many=True, help_text="The questions drawn, in order; empty after submitting unless the answers show."
    )


class TrainingAttemptBriefOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = AttemptStatusField()
    started_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="Null unless the result shows the score."
    )


class TrainingQuizDetailOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    course = TrainingCourseBriefOutputSerializer()
    course_version = serializers.IntegerField()
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2)
    attempts_allowed = serializers.IntegerField(help_text="0: no limit.")
    attempts_left = serializers.IntegerField(allow_null=True, help_text="Yours; null: no limit.")
    time_limit_minutes = serializers.IntegerField(allow_null=True, help_text="Null: no limit.")
    review = ReviewField()
    question_count = serializers.IntegerField()
    attempts = TrainingAttemptBriefOutputSerializer(many=True, help_text="Yours, the latest first.")


class TrainingAnswerInputSerializer(serializers.Serializer[Any]):
    question_version = serializers.IntegerField(min_value=1, help_text="A question drawn for this attempt.")
    chosen = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_empty=True, max_length=50, default=list
    )
    text = serializers.CharField(
        max_length=10000, required=False, allow_blank=True, trim_whitespace=False, default=""
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The attempt's `version` you read; a stale one answers 409 `conflict`."
    )


class TrainingAnswerOutputSerializer(serializers.Serializer[Any]):
    question_version = serializers.IntegerField()
    chosen = serializers.ListField(child=serializers.IntegerField())
    answer_text = serializers.CharField(allow_blank=True)
    answered_at = serializers.DateTimeField()
    version = serializers.IntegerField(help_text="The attempt's version now: send it with the next answer.")


# Certificates -------------------------------------------------------------------------------------------


class TrainingCertificateOutputSerializer(serializers.ModelSerializer[Certificate]):
    course = TrainingCourseBriefOutputSerializer(read_only=True)
    person = TrainingPersonOutputSerializer(read_only=True)
    course_version = serializers.IntegerField(source="version.number", read_only=True)
    status = serializers.SerializerMethodField(
        help_text=f"One of {_values(CertificateStatusField.choices_of)}."
    )

    class Meta:
        model = Certificate
        fields = [
            "id",
            "number",
            "person",
            "holder_name",
            "course",
            "course_version",
            "issued_on",
            "expires_on",
            "status",
            "revoked_at",
            "revoked_reason",
            "renews",
            "verification_code",
        ]
        read_only_fields = fields

    def get_status(self, certificate: Certificate) -> str:
        return str(self.context["statuses"][certificate.pk])


class TrainingVerificationOutputSerializer(serializers.Serializer[Any]):
    state = CertificateStateField(help_text="Today, in the organisation's time zone.")
    holder_name = serializers.CharField(help_text="The name as printed on the certificate.")
    course_title = serializers.CharField()
    course_version = serializers.IntegerField()
    number = serializers.CharField(help_text="The certificate number.")
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(allow_null=True, help_text="Null: no expiry.")
