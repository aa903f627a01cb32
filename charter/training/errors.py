"""Error codes of training (`training_…`): the API answers them as `code`, tests assert them. Each area keeps
its own section; add a code to the section of the module that raises it."""

from enum import StrEnum


class ErrorCode(StrEnum):
    VERSION_FROZEN = "training_version_frozen"
    # Permissions (charter/training/permissions.py).
    STAFF_ONLY = "training_staff_only"
    MANAGE_DENIED = "training_manage_denied"
    ASSIGN_DENIED = "training_assign_denied"
    RECORDS_DENIED = "training_records_denied"
    SELF_WAIVE = "training_self_waive"
    SESSION_DENIED = "training_session_denied"
    GRADE_DENIED = "training_grade_denied"
    SELF_GRADE = "training_self_grade"
    # Courses, lessons, files and sessions (charter/training/courses.py, sessions.py).
    # Assignments and signals (charter/training/assignments.py, signals.py).
    COURSE_NOT_ASSIGNABLE = "training_course_not_assignable"
    NOT_STAFF = "training_not_staff"
    DUE_IN_PAST = "training_due_in_past"
    ASSIGNMENT_NOT_OPEN = "training_assignment_not_open"
    WAIVE_REASON_REQUIRED = "training_waive_reason_required"
    BATCH_TARGET = "training_batch_target"
    ASSIGNMENT_TEXT_TOO_LONG = "training_assignment_text_too_long"
    ASSIGNMENT_TEXT_INVALID = "training_assignment_text_invalid"
    # Quizzes and question banks (charter/training/quizzes.py, banks.py).
    BANK_CODE_TAKEN = "training_bank_code_taken"
    CATEGORY_CODE_TAKEN = "training_category_code_taken"
    CATEGORY_CLAUSE = "training_category_clause"
    BANK_TEXT_REQUIRED = "training_bank_text_required"
    BANK_TEXT_TOO_LONG = "training_bank_text_too_long"
    BANK_TEXT_INVALID = "training_bank_text_invalid"
    QUESTION_KIND = "training_question_kind"
    QUESTION_OPTIONS = "training_question_options"
    QUESTION_POINTS = "training_question_points"
    QUESTION_RETIRED = "training_question_retired"
    QUIZ_PASS_MARK = "training_quiz_pass_mark"  # noqa: S105 (an error code)
    QUIZ_DRAWS = "training_quiz_draws"
    QUIZ_DRAW_TOO_MANY = "training_quiz_draw_too_many"
    QUIZ_NOT_OPEN = "training_quiz_not_open"
    QUIZ_SHORT_OF_QUESTIONS = "training_quiz_short_of_questions"
    ATTEMPTS_USED_UP = "training_attempts_used_up"
    ATTEMPT_BUSY = "training_attempt_busy"
    ATTEMPT_SUBMITTED = "training_attempt_submitted"
    TIME_UP = "training_time_up"
    QUESTION_NOT_DRAWN = "training_question_not_drawn"
    ANSWER_INVALID = "training_answer_invalid"
    ATTEMPT_NOT_GRADING = "training_attempt_not_grading"
    GRADE_INVALID = "training_grade_invalid"
    # Certificates and qualifications (charter/training/certificates.py).
    # Records and reports (charter/training/records.py).
