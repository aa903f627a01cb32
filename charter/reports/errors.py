from enum import StrEnum


class ErrorCode(StrEnum):
    DISCLOSURE_DENIED = "report_disclosure_denied"
    INVALID_MINIMUM_SAMPLE = "report_invalid_minimum_sample"
    DASHBOARD_DENIED = "report_dashboard_denied"
    MONTHLY_REPORT_DENIED = "report_monthly_generate_denied"
    MONTHLY_REPORT_READ_DENIED = "report_monthly_read_denied"
    MONTHLY_LANGUAGE = "report_monthly_language_invalid"
    MONTHLY_NOT_ENDED = "report_monthly_not_ended"
