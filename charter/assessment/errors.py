from enum import StrEnum


class ErrorCode(StrEnum):
    WEIGHTS_NOT_100 = "assessment_weights_not_100"
