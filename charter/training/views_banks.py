"""Question bank pages for trainers under /desk/training/banks/: the banks, a bank's categories and questions,
a question with its version history (revising writes a new version; retiring stops new draws), and the quiz
form of a draft course version (bank, pass mark, attempts, time limit, review, and how many questions each
category gives).

Every page requires `can_manage_courses`; the services refuse what the page would not offer.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from charter.accounts.requests import request_staff
from charter.common.errors import DomainError
from charter.common.forms import form_add_domain_error
from charter.common.http import int_param
from charter.common.pages import page_rule
from charter.common.versioning import VersionStatus
from charter.standards.models import StandardClause
from charter.training.banks import (
    OptionSpec,
    active_question_counts,
    bank_create,
    bank_update,
    category_create,
    category_list_with_counts,
    category_update,
    question_create,
    question_retire,
    question_revise,
    quiz_configure,
)
from charter.training.models import (
    CourseVersion,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionOption,
    QuestionVersion,
    Quiz,
)
from charter.training.permissions import can_manage_courses

OPTION_ROWS = 6
Kind = QuestionVersion.Kind


def _clauses() -> Any:
    return StandardClause.objects.filter(version__status=VersionStatus.PUBLISHED).select_related(
        "version__document"
    )


class BankForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=50)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    clause = forms.ModelChoiceField(
        label=_("Clause it tests"), queryset=StandardClause.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clause: Any = self.fields["clause"]
        clause.queryset = _clauses()


class QuestionForm(forms.Form):
    """A question's version: kind, text, explanation, points and up to OPTION_ROWS options (blank rows are
    left out); a true-or-false question only says which of 对 / 错 is correct."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=QuestionCategory.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    text_zh = forms.CharField(label=_("Question (Chinese)"), widget=forms.Textarea(attrs={"rows": 3}))
    text_en = forms.CharField(
        label=_("Question (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    points = forms.DecimalField(
        label=pgettext_lazy("quiz", "Points"), min_value=Decimal("0.5"), decimal_places=1, initial=1
    )
    true_is_correct = forms.TypedChoiceField(
        label=_("For true or false: the correct answer"),
        choices=[("1", _("True")), ("0", _("False"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        required=False,
    )
    explanation_zh = forms.CharField(
        label=_("Explanation (Chinese)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    explanation_en = forms.CharField(
        label=_("Explanation (English)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, bank: QuestionBank, with_category: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_category:
            category: Any = self.fields["category"]
            category.queryset = bank.categories.all()
        else:
            del self.fields["category"]
        for index in range(1, OPTION_ROWS + 1):
            self.fields[f"option_{index}_zh"] = forms.CharField(
                label=_("Option %(n)d (Chinese)") % {"n": index}, max_length=500, required=False
            )
            self.fields[f"option_{index}_en"] = forms.CharField(
                label=_("Option %(n)d (English)") % {"n": index}, max_length=500, required=False
            )
            self.fields[f"option_{index}_correct"] = forms.BooleanField(
                label=_("Option %(n)d is correct") % {"n": index}, required=False
            )

    def options(self) -> list[OptionSpec]:
        data = self.cleaned_data
        if data["kind"] == Kind.TRUE_FALSE:
            true = data.get("true_is_correct")
            if true is None or true == "":
                return []
            return [OptionSpec("对", "True", bool(true)), OptionSpec("错", "False", not true)]
        if data["kind"] == Kind.SHORT:
            return []
        return [
            OptionSpec(data[f"option_{i}_zh"], data[f"option_{i}_en"], data[f"option_{i}_correct"])
            for i in range(1, OPTION_ROWS + 1)
            if data[f"option_{i}_zh"].strip()
        ]

    def option_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"option_{i}_zh"], self[f"option_{i}_en"], self[f"option_{i}_correct"])
            for i in range(1, OPTION_ROWS + 1)
        ]

    @staticmethod
    def initial_from(version: QuestionVersion) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": version.kind,
            "text_zh": version.text_zh,
            "text_en": version.text_en,
            "points": version.points,
            "explanation_zh": version.explanation_zh,
            "explanation_en": version.explanation_en,
        }
        options = list(version.options.all())
        if version.kind == Kind.TRUE_FALSE and options:
            initial["true_is_correct"] = "1" if options[0].is_correct else "0"
        else:
            for index, option in enumerate(options[:OPTION_ROWS], start=1):
                initial[f"option_{index}_zh"] = option.text_zh
                initial[f"option_{index}_en"] = option.text_en
                initial[f"option_{index}_correct"] = option.is_correct
        return initial


def _question_kwargs(form: QuestionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "text_zh": data["text_zh"],
        "text_en": data["text_en"],
        "explanation_zh": data["explanation_zh"],
        "explanation_en": data["explanation_en"],
        "points": data["points"],
        "options": form.options(),
    }


@page_rule(can_manage_courses)
def bank_list(request: HttpRequest) -> HttpResponse:
    """The question banks, and a form that creates one."""
    user = request_staff(request)
    form = BankForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                bank = bank_create(actor=user, **form.cleaned_data)
                messages.success(request, gettext("The question bank was created."))
                return redirect("training:bank_detail", pk=bank.pk)
            except DomainError as error:
                form_add_domain_error(form, error)
        status = 400
    return render(
        request,
        "training/bank_list.html",
        {"banks": list(QuestionBank.objects.order_by("code")), "form": form},
        status=status,
    )


@page_rule(can_manage_courses)
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A bank: its titles, categories (with how many active questions each holds) and questions; forms that
    change the titles and add a category."""
    user = request_staff(request)
    bank = get_object_or_404(QuestionBank, pk=pk)
    bank_form = BankForm(initial={"code": bank.code, "title_zh": bank.title_zh, "title_en": bank.title_en})
    bank_form.fields["code"].disabled = True
    category_form = CategoryForm()
    status = 200
    if request.method == "POST":
        do = request.POST.get("do")
        form: forms.Form
        try:
            if do == "bank":
                form = bank_form = BankForm(request.POST, initial={"code": bank.code})
                bank_form.fields["code"].disabled = True
                if form.is_valid():
                    bank_update(
                        actor=user,
                        bank=bank,
                        title_zh=form.cleaned_data["title_zh"],
                        title_en=form.cleaned_data["title_en"],
                    )
                    messages.success(request, gettext("The question bank was changed."))
                    return redirect("training:bank_detail", pk=bank.pk)
            elif do == "category":
                form = category_form = CategoryForm(request.POST)
                if form.is_valid():
                    category_create(actor=user, bank=bank, **form.cleaned_data)
                    messages.success(request, gettext("The category was added."))
                    return redirect("training:bank_detail", pk=bank.pk)
            else:
                raise Http404
        except DomainError as error:
            form_add_domain_error(form, error)
        status = 400
    questions = list(
        Question.objects.filter(category__bank=bank)
        .select_related("current", "category")
        .order_by("category__code", "pk")
    )
    return render(
        request,
        "training/bank_detail.html",
        {
            "bank": bank,
            "categories": category_list_with_counts(bank=bank),
            "questions": questions,
            "bank_form": bank_form,
            "category_form": category_form,
        },
        status=status,
    )


@page_rule(can_manage_courses)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a category's names and the clause it tests (its code stays)."""
    user = request_staff(request)
    category = get_object_or_404(QuestionCategory.objects.select_related("bank"), pk=pk)
    initial = {
        "code": category.code,
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "clause": category.clause,
    }
    form = CategoryForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                data = form.cleaned_data
                category_update(
                    actor=user,
                    category=category,
                    name_zh=data["name_zh"],
                    name_en=data["name_en"],
                    clause=data["clause"],
                )
                messages.success(request, gettext("The category was changed."))
                return redirect("training:bank_detail", pk=category.bank_id)
            except DomainError as error:
                form_add_domain_error(form, error)
        status = 400
    return render(request, "training/category_form.html", {"category": category, "form": form}, status=status)


@page_rule(can_manage_courses)
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a question in one of the bank's categories."""
    user = request_staff(request)
    bank = get_object_or_404(QuestionBank, pk=pk)
    initial = {"category": request.GET.get("category")}
    form = QuestionForm(request.POST or None, bank=bank, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                question = question_create(
                    actor=user, category=form.cleaned_data["category"], **_question_kwargs(form)
                )
                messages.success(request, gettext("The question was written."))
                return redirect("training:question_detail", pk=question.pk)
            except DomainError as error:
                form_add_domain_error(form, error)
        status = 400
    return render(
        request, "training/question_form.html", {"bank": bank, "form": form, "question": None}, status=status
    )


@page_rule(can_manage_courses)
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A question with every version it had (newest first) and their options; the form that writes the
    next version, and the button that retires it."""
    user = request_staff(request)
    question = get_object_or_404(Question.objects.select_related("category__bank", "current"), pk=pk)
    bank = question.category.bank
    versions = list(
        question.versions.select_related("created_by").prefetch_related(
            Prefetch("options", queryset=QuestionOption.objects.order_by("ordering", "pk"))
        )
    )
    current = next((version for version in versions if version.pk == question.current_id), None)
    initial = QuestionForm.initial_from(current) if current else {}
    form = QuestionForm(request.POST or None, bank=bank, with_category=False, initial=initial)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("do") == "retire":
                question_retire(actor=user, question=question)
                messages.success(request, gettext("The question was retired."))
                return redirect("training:question_detail", pk=question.pk)
            if form.is_valid():
                question_revise(actor=user, question=question, **_question_kwargs(form))
                messages.success(request, gettext("A new version of the question was written."))
                return redirect("training:question_detail", pk=question.pk)
        except DomainError as error:
            form_add_domain_error(form, error)
        status = 400
    return render(
        request,
        "training/question_detail.html",
        {"question": question, "bank": bank, "versions": versions, "form": form},
        status=status,
    )


class QuizForm(forms.Form):
    """The settings of a quiz; the draw of each category of the chosen bank is a field `draw_<category>`."""

    pass_mark = forms.DecimalField(
        label=_("Pass mark (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=80,
    )
    attempts_allowed = forms.IntegerField(label=_("Attempts allowed (0: no limit)"), min_value=0, initial=3)
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit in minutes (blank: no limit)"), min_value=1, required=False
    )
    review = forms.ChoiceField(
        label=_("Shown after submitting"), choices=Quiz.Review.choices, initial="score"
    )
    shuffle_options = forms.BooleanField(label=_("Shuffle the options"), required=False, initial=True)

    def __init__(
        self, *args: Any, categories: list[QuestionCategory], available: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories
        for category in categories:
            self.fields[f"draw_{category.pk}"] = forms.IntegerField(
                label=_("%(category)s: questions drawn (of %(available)d)")
                % {"category": category, "available": available.get(category.pk, 0)},
                min_value=0,
                initial=0,
            )

    def draws(self) -> list[tuple[QuestionCategory, int]]:
        return [(category, self.cleaned_data[f"draw_{category.pk}"] or 0) for category in self.categories]


@page_rule(can_manage_courses)
def quiz_configure_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The quiz of draft course version `pk`: choose the bank first (?bank=), then the settings and how many
    questions each category gives. A published version's quiz is shown, not changed (the service refuses)."""
    user = request_staff(request)
    version = get_object_or_404(CourseVersion.objects.select_related("course"), pk=pk)
    quiz = Quiz.objects.filter(version=version).select_related("bank").first()
    bank_id = request.POST.get("bank") or request.GET.get("bank") or (quiz.bank_id if quiz else None)
    bank_pk = int_param(bank_id)
    bank = QuestionBank.objects.filter(pk=bank_pk).first() if bank_pk is not None else None
    form: QuizForm | None = None
    status = 200
    if bank is not None:
        categories = list(bank.categories.order_by("code"))
        available = active_question_counts([category.pk for category in categories])
        initial: dict[str, Any] = {}
        if quiz is not None and quiz.bank_id == bank.pk:
            initial = {
                "pass_mark": quiz.pass_mark,
                "attempts_allowed": quiz.attempts_allowed,
                "time_limit_minutes": quiz.time_limit_minutes,
                "review": quiz.review,
                "shuffle_options": quiz.shuffle_options,
                **{f"draw_{draw.category_id}": draw.count for draw in quiz.draws.all()},
            }
        form = QuizForm(
            request.POST if request.method == "POST" else None,
            categories=categories,
            available=available,
            initial=initial,
        )
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    quiz_configure(
                        actor=user,
                        version=version,
                        bank=bank,
                        pass_mark=data["pass_mark"],
                        attempts_allowed=data["attempts_allowed"],
                        time_limit_minutes=data["time_limit_minutes"],
                        review=data["review"],
                        shuffle_options=data["shuffle_options"],
                        draws=form.draws(),
                    )
                    messages.success(request, gettext("The quiz was saved."))
                    return redirect("training:quiz_configure", pk=version.pk)
                except DomainError as error:
                    form_add_domain_error(form, error)
                    status = error.status
            else:
                status = 400
    return render(
        request,
        "training/quiz_configure.html",
        {
            "version": version,
            "quiz": quiz,
            "bank": bank,
            "banks": list(QuestionBank.objects.order_by("code")),
            "form": form,
            "is_draft": version.status == VersionStatus.DRAFT,
        },
        status=status,
    )
