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
    # Quizzes and question banks (charter/training/quizzes.py, banks.py).
    # Certificates and qualifications (charter/training/certificates.py).
    # Records and reports (charter/training/records.py).
