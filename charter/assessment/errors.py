from enum import StrEnum


class ErrorCode(StrEnum):
    VERSION_NOT_DRAFT = "assessment_version_not_draft"
    WEIGHTS_NOT_100 = "assessment_weights_not_100"
    # Scoring rules (charter/assessment/scoring.py).
    WEIGHT_NOT_POSITIVE = "assessment_weight_not_positive"
    NUMBER_INVALID = "assessment_number_invalid"
    CURVE_ORDER = "assessment_curve_order"
    CURVE_POINTS = "assessment_curve_points"
    BANDS_EMPTY = "assessment_bands_empty"
    BAND_EMPTY_RANGE = "assessment_band_empty_range"
    BANDS_GAP = "assessment_bands_gap"
    BANDS_OVERLAP = "assessment_bands_overlap"
    BANDS_NOT_MONOTONE = "assessment_bands_not_monotone"
    ADJUSTMENT_NEGATIVE = "assessment_adjustment_negative"
    GRADES_EMPTY = "assessment_grades_empty"
    GRADES_DUPLICATE = "assessment_grades_duplicate"
    GRADES_ORDER = "assessment_grades_order"
    GRADES_OPEN_END = "assessment_grades_open_end"
    GRADE_UNKNOWN = "assessment_grade_unknown"
    QUOTA_SHARE = "assessment_quota_share"
    QUOTA_LOWEST_GRADE = "assessment_quota_lowest_grade"
    # The final formula (charter/assessment/formula.py).
    FORMULA_INVALID = "assessment_formula_invalid"
    FORMULA_DIVISION_BY_ZERO = "assessment_formula_division_by_zero"
    FORMULA_VALUE_MISSING = "assessment_formula_value_missing"
    FORMULA_VALUE_INVALID = "assessment_formula_value_invalid"
    FORMULA_UNDEFINED = "assessment_formula_undefined"
