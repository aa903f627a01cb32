"""Training and certification (seed component 5, code of conduct 4.3).

A `Course` is taught from its published `CourseVersion` (on the versioning kernel: a published version never
changes): lessons of sanitised rich text with files and intranet video links, the clauses of the code of
conduct or the service standards it teaches, what completing it takes (lessons, attendance, a quiz) and the
certificate it earns. `TrainingSession`s are the classroom or online dates, with enrolment and attendance.

An `Assignment` asks one person to complete a course by a date and says why (`Reason`) with a link to its
source (`source_type`, `source_id`: a QA review, a violation, a standard version, a plan, a certificate to
renew, a batch ordered by a trainer); one row per person, course and source, so a signal handled twice
assigns once.

A quiz draws questions from a `QuestionBank` by category (each category may cite a clause); a `Question`
keeps its `QuestionVersion`s, and an answer points at the version it answered. An `Attempt` has a server
deadline; its `AttemptItem`s are the questions drawn, with the shuffled option order and the answer.

A `Certificate` is issued on completion, with a number, the name as printed, the course version, dates and a
verification code; a renewal is a new certificate, the old one stays. A certificate of a course that grants a
qualification writes an `accounts.QualificationGrant`, which routing reads.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from charter.common.errors import ConflictError, DomainError
from charter.common.files import upload_path
from charter.common.models import TimeStampedModel, YearCounter, localized
from charter.common.versioning import DocumentVersion, VersionPart, VersionStatus


def _frozen() -> DomainError:
    from charter.training.errors import ErrorCode

    return ConflictError(
        _("A published course version cannot be changed; create a new draft."), code=ErrorCode.VERSION_FROZEN
    )


# Courses ------------------------------------------------------------------------------------------------


class Course(TimeStampedModel):
    """What is taught, across its versions, and how it is assigned and renewed."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    qualification = models.ForeignKey(
        "accounts.Qualification",
        verbose_name=_("qualification granted"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "A valid certificate of this course grants this qualification, which routing may require."
        ),
    )
    standard = models.ForeignKey(
        "standards.StandardDocument",
        verbose_name=_("standard it introduces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Publishing a new version of this standard assigns the course to every staff member."),
    )
    required_before_acknowledgement = models.BooleanField(
        _("required before acknowledging the standard"),
        default=False,
        help_text=_("Staff acknowledge a new version of the standard only after completing this course."),
    )
    is_onboarding = models.BooleanField(
        _("assigned to new staff"), default=False, help_text=_("Assigned to every new staff member.")
    )
    onboarding_days = models.PositiveSmallIntegerField(_("days new staff have"), default=30)
    standard_days = models.PositiveSmallIntegerField(
        _("days staff have after a new version of the standard"), default=30
    )
    remedial_days = models.PositiveSmallIntegerField(_("days for remedial training"), default=14)
    renewal_notice_days = models.PositiveSmallIntegerField(
        _("days before expiry to remind and re-assign"), default=30
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [
            ("manage_course", _("Can write and publish courses, question banks and sessions")),
            ("assign_course", _("Can assign courses to staff")),
            ("grade_answer", _("Can grade short answers")),
            ("view_training_records", _("Can see the training records of every staff member")),
        ]

    def __str__(self) -> str:
        return localized(self, "title")


class CourseVersion(DocumentVersion, TimeStampedModel):
    """One edition of a course: what it says, teaches and takes to complete; frozen once published."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="versions"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    clauses: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "standards.StandardClause", verbose_name=_("clauses taught"), blank=True, related_name="+"
    )
    requires_lessons = models.BooleanField(_("requires every lesson"), default=True)
    requires_attendance = models.BooleanField(_("requires attending a session"), default=False)
    requires_quiz = models.BooleanField(_("requires passing the quiz"), default=False)
    hours = models.DecimalField(
        _("hours credited"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    issues_certificate = models.BooleanField(_("issues a certificate"), default=False)
    certificate_valid_days = models.PositiveIntegerField(
        _("certificate valid for (days)"),
        null=True,
        blank=True,
        help_text=_("Blank: the certificate never expires."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["course", "-number"]
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="training_version_number"),
            models.UniqueConstraint(
                fields=["course"], condition=Q(status="published"), name="training_one_published_version"
            ),
            models.UniqueConstraint(
                fields=["course"], condition=Q(status="draft"), name="training_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} v{self.number}"

    @classmethod
    def frozen_error(cls) -> DomainError:
        return _frozen()


class Lesson(VersionPart):
    """One lesson of a course version: sanitised rich text in both languages and an optional video link."""

    version = models.ForeignKey(
        CourseVersion, verbose_name=_("course version"), on_delete=models.CASCADE, related_name="lessons"
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_zh = models.TextField(pgettext_lazy("lesson", "text (Chinese)"), blank=True)
    body_en = models.TextField(pgettext_lazy("lesson", "text (English)"), blank=True)
    video_url = models.URLField(_("video link (intranet)"), max_length=500, blank=True)

    class Meta:
        ordering = ["version", "ordering", "pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return localized(self, "title")


def lesson_file_upload_to(instance: "LessonFile", filename: str) -> str:
    """Store under training/<yyyy>/<random>, never under the uploaded name."""
    return upload_path("training")


class LessonFile(VersionPart):
    """A file of a lesson, stored outside the web root and served only to those who may see the course,
    active content as a download (`charter.common.files.stored_file_response`)."""

    version = models.ForeignKey(
        CourseVersion, verbose_name=_("course version"), on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=lesson_file_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_download_only = models.BooleanField(_("download only"), default=False)

    class Meta:
        ordering = ["lesson", "pk"]
        verbose_name = _("lesson file")
        verbose_name_plural = _("lesson files")

    def __str__(self) -> str:
        return self.original_name


class LessonProgress(models.Model):
    """When a person last finished a lesson (re-reading it for a renewal moves the date on)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(_("completed at"))

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [models.UniqueConstraint(fields=["person", "lesson"], name="training_progress_once")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.lesson_id}"


# Sessions -----------------------------------------------------------------------------------------------


class TrainingSession(TimeStampedModel):
    """A classroom or online date of a course, with its trainer, place, capacity and sign-in code."""

    class Kind(models.TextChoices):
        CLASSROOM = "classroom", _("Classroom")
        ONLINE = "online", pgettext_lazy("training session", "Online")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("training session", "Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", pgettext_lazy("training session", "Cancelled")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CLASSROOM)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place or link"), max_length=300, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("trainer"), on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=30, validators=[MinValueValidator(1)])
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1, default=Decimal("1.0"))
    sign_in_code = models.CharField(_("sign-in code"), max_length=12, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} @ {self.starts_at:%Y-%m-%d}"


class Enrolment(models.Model):
    """A person's place in a session, and whether he attended (marked by the trainer or signed in)."""

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not taken")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="enrolments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True)
    attendance_at = models.DateTimeField(_("attendance taken at"), null=True, blank=True)
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank when the staff member signed in with the session's code."),
    )
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1, default=Decimal("0"))

    class Meta:
        ordering = ["session", "person_id"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="training_enrol_once")]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.person_id}"


# Assignments --------------------------------------------------------------------------------------------


class AssignmentBatch(models.Model):
    """One order to assign a course to a group (a role, a team, a unit, everyone a standard applies to),
    carried out by one task; the assignments it made point back at it."""

    class Target(models.TextChoices):
        ROLE = "role", _("Role")
        TEAM = "team", _("Team")
        UNIT = "unit", _("Unit")
        STAFF = "staff", _("All staff")
        STANDARD = "standard", _("New version of a standard")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="+")
    target = models.CharField(_("assigned to"), max_length=20, choices=Target.choices)
    target_value = models.CharField(_("which"), max_length=100, blank=True)
    due_on = models.DateField(_("due on"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    standard_version = models.ForeignKey(
        "standards.StandardVersion",
        verbose_name=_("standard version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The published version that ordered this batch; each version orders one per course."),
    )
    finished_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    assigned_count = models.PositiveIntegerField(_("people assigned"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("assignment batch")
        verbose_name_plural = _("assignment batches")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "standard_version"], name="training_batch_once_per_standard_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} → {self.target}:{self.target_value}"


class Assignment(TimeStampedModel):
    """One person asked to complete one course by a date, for one reason from one source."""

    class Reason(models.TextChoices):
        ORDERED = "ordered", _("Assigned by a trainer or supervisor")
        STANDARD = "standard", _("New version of a standard")
        ONBOARDING = "onboarding", _("New staff")
        QA_REVIEW = "qa_review", _("QA review")
        VIOLATION = "violation", _("Violation of the code of conduct")
        PLAN = "plan", _("Improvement plan")
        RENEWAL = "renewal", _("Certificate expiring")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("training assignment", "Open")
        COMPLETED = "completed", pgettext_lazy("training assignment", "Completed")
        WAIVED = "waived", _("Waived")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="assignments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="training_assignments",
    )
    due_on = models.DateField(_("due on"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    reason_text = models.TextField(_("why"), blank=True)
    # The record that caused it, as "<app>.<model>" and its id ("training.batch" for an ordered batch): the
    # page links it when the reader may open it.
    source_type = models.CharField(_("source"), max_length=50)
    source_id = models.PositiveBigIntegerField(_("source id"))
    batch = models.ForeignKey(
        AssignmentBatch,
        verbose_name=_("batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    certificate = models.ForeignKey(
        "Certificate",
        verbose_name=_("certificate"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    waived_reason = models.TextField(_("why waived"), blank=True)
    # Each mail is sent once: the sender claims the row by setting the stamp where it is still empty.
    assigned_mailed_at = models.DateTimeField(_("told of the assignment at"), null=True, blank=True)
    reminded_before_at = models.DateTimeField(_("reminded before the due date at"), null=True, blank=True)
    reminded_due_at = models.DateTimeField(_("reminded on the due date at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("supervisor told of the delay at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course", "source_type", "source_id"], name="training_assignment_once"
            )
        ]
        indexes = [
            models.Index(fields=["person", "status"], name="training_assignment_person"),
            models.Index(fields=["status", "due_on"], name="training_assignment_due"),
            models.Index(fields=["course", "status"], name="training_assignment_course"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.course_id}:{self.reason}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


# Question banks and quizzes -----------------------------------------------------------------------------


class QuestionBank(TimeStampedModel):
    """Questions grouped in categories, each category optionally citing the clause it tests."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self) -> str:
        return localized(self, "title")


class QuestionCategory(models.Model):
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("question bank"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(_("code"), max_length=50)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    clause = models.ForeignKey(
        "standards.StandardClause",
        verbose_name=_("clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["bank", "code"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")
        constraints = [models.UniqueConstraint(fields=["bank", "code"], name="training_category_code")]

    def __str__(self) -> str:
        return localized(self, "name")


class Question(TimeStampedModel):
    """A question across its versions; `current` is the version new attempts draw."""

    category = models.ForeignKey(
        QuestionCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="questions"
    )
    current = models.ForeignKey(
        "QuestionVersion",
        verbose_name=_("current version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "pk"]
        verbose_name = pgettext_lazy("quiz", "question")
        verbose_name_plural = pgettext_lazy("quiz", "questions")

    def __str__(self) -> str:
        return f"Q{self.pk}"


class QuestionVersion(models.Model):
    """What a question asked at one time; never changed once written (an edit writes a new version), so an
    answer always shows the question it answered."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT = "short", _("Short answer (graded by the trainer)")

    question = models.ForeignKey(
        Question,
        verbose_name=pgettext_lazy("quiz", "question"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text_zh = models.TextField(pgettext_lazy("quiz", "question (Chinese)"))
    text_en = models.TextField(pgettext_lazy("quiz", "question (English)"), blank=True)
    explanation_zh = models.TextField(_("explanation (Chinese)"), blank=True)
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    points = models.DecimalField(
        pgettext_lazy("quiz", "points"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["question", "-number"]
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="training_question_number")
        ]

    def __str__(self) -> str:
        return f"Q{self.question_id} v{self.number}"


class QuestionOption(models.Model):
    version = models.ForeignKey(
        QuestionVersion, verbose_name=_("question version"), on_delete=models.CASCADE, related_name="options"
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    text_zh = models.CharField(_("option (Chinese)"), max_length=500)
    text_en = models.CharField(_("option (English)"), max_length=500, blank=True)
    is_correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["version", "ordering", "pk"]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return localized(self, "text")


class Quiz(VersionPart):
    """The quiz of a course version: how many questions to draw from which categories, the pass mark, the
    attempts allowed, the time limit and what the person sees after submitting."""

    class Review(models.TextChoices):
        NONE = "none", _("Nothing but passed or not")
        SCORE = "score", _("The score")
        ANSWERS = "answers", _("The score and the correct answers")

    version = models.OneToOneField(
        CourseVersion, verbose_name=_("course version"), on_delete=models.CASCADE, related_name="quiz"
    )
    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("question bank"), on_delete=models.PROTECT, related_name="+"
    )
    pass_mark = models.DecimalField(
        _("pass mark (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, help_text=_("0: no limit.")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), null=True, blank=True, help_text=_("Blank: no limit.")
    )
    review = models.CharField(
        _("shown after submitting"), max_length=20, choices=Review.choices, default=Review.SCORE
    )
    shuffle_options = models.BooleanField(_("shuffle the options"), default=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return f"{self.version}"


class QuizDraw(VersionPart):
    """Draw `count` questions at random from one category for each attempt."""

    version = models.ForeignKey(
        CourseVersion, verbose_name=_("course version"), on_delete=models.CASCADE, related_name="+"
    )
    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="draws")
    category = models.ForeignKey(
        QuestionCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveSmallIntegerField(_("questions drawn"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["quiz", "pk"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        constraints = [models.UniqueConstraint(fields=["quiz", "category"], name="training_draw_once")]

    def __str__(self) -> str:
        return f"{self.category_id}×{self.count}"


class Attempt(models.Model):
    """One go at a quiz. The clock is the server's: `deadline_at` is fixed when it starts, an answer after
    it is refused, and a sweep submits what was answered once it has passed."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", pgettext_lazy("quiz attempt", "In progress")
        GRADING = "grading", _("Awaiting grading")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(Quiz, verbose_name=_("quiz"), on_delete=models.PROTECT, related_name="attempts")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"))
    deadline_at = models.DateTimeField(_("time is up at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    timed_out = models.BooleanField(_("submitted when time ran out"), default=False)
    score = models.DecimalField(
        pgettext_lazy("quiz attempt", "points"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    max_score = models.DecimalField(_("out of"), max_digits=7, decimal_places=1, default=Decimal("0"))
    percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "person", "number"], name="training_attempt_number")
        ]
        indexes = [models.Index(fields=["status", "deadline_at"], name="training_attempt_open")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.quiz_id}#{self.number}"


class AttemptItem(models.Model):
    """One question drawn for an attempt, the order its options were shown in, and the answer given."""

    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="items"
    )
    question = models.ForeignKey(
        QuestionVersion, verbose_name=_("question version"), on_delete=models.PROTECT, related_name="+"
    )
    ordering = models.PositiveSmallIntegerField(_("order"))
    option_order = models.JSONField(_("options as shown"), default=list, blank=True)
    chosen = models.JSONField(_("options chosen"), default=list, blank=True)
    text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    points = models.DecimalField(_("points awarded"), max_digits=5, decimal_places=1, null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(pgettext_lazy("training", "comment"), blank=True)

    class Meta:
        ordering = ["attempt", "ordering"]
        verbose_name = _("attempt answer")
        verbose_name_plural = _("attempt answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="training_item_once")]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.question_id}"


# Completion and certificates ----------------------------------------------------------------------------


class Completion(models.Model):
    """A person completed a course version (its lessons, attendance and quiz as configured)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        CourseVersion, verbose_name=_("course version"), on_delete=models.PROTECT, related_name="completions"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="completions"
    )
    completed_at = models.DateTimeField(_("completed at"))
    hours = models.DecimalField(_("hours credited"), max_digits=5, decimal_places=1, default=Decimal("0"))

    class Meta:
        ordering = ["-completed_at", "-pk"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        indexes = [
            models.Index(fields=["person", "course", "completed_at"], name="training_completion_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.version_id}"


class CertificateCounter(YearCounter):
    """The last certificate number of a year (TC-2026-000123)."""

    class Meta:
        verbose_name = _("certificate counter")
        verbose_name_plural = _("certificate counters")


class Certificate(models.Model):
    """Proof that a person completed a course version, valid until `expires_on` (none: no expiry). Never
    changed once issued but to revoke it; a renewal is a new certificate that names the one it renews."""

    number = models.CharField(_("certificate number"), max_length=30, unique=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="+"
    )
    holder_name = models.CharField(_("name as printed"), max_length=150)
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="certificates"
    )
    version = models.ForeignKey(
        CourseVersion, verbose_name=_("course version"), on_delete=models.PROTECT, related_name="+"
    )
    completion = models.OneToOneField(
        Completion, verbose_name=_("completion"), on_delete=models.PROTECT, related_name="certificate"
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    verification_code = models.CharField(_("verification code"), max_length=32, unique=True)
    renews = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("why revoked"), blank=True)
    # Sent once each: the sweep claims the row by setting the stamp where it is still empty.
    expiry_reminded_at = models.DateTimeField(_("expiry reminder sent at"), null=True, blank=True)
    expired_notified_at = models.DateTimeField(_("expiry reported at"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [
            models.Index(fields=["person", "course"], name="training_certificate_person"),
            models.Index(fields=["expires_on"], name="training_certificate_expiry"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: Any) -> bool:
        return self.revoked_at is None and (self.expires_on is None or day <= self.expires_on)
