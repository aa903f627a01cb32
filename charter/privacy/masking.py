"""Masking of personal data for display: enough to recognise, not enough to misuse."""

import re


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    digits = re.sub(r"\s", "", value)
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)


def mask_email(value: str) -> str:
    """zhang.san@example.com → z***@example.com."""
    local, at, domain = value.partition("@")
    if not at:
        return mask_text(value)
    return (local[:1] or "*") + "***@" + domain


def mask_id_number(value: str) -> str:
    """110101199003071234 → 110***********1234."""
    text = value.strip()
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**; Jane Smith → J*** S****."""
    text = value.strip()
    if not text:
        return ""
    if re.search(r"[\u4e00-\u9fff]", text):
        return text[0] + "*" * (len(text) - 1)
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in text.split())


def mask_text(value: str) -> str:
    """Anything else: the first character and stars."""
    text = value.strip()
    return text[:1] + "*" * max(len(text) - 1, 3) if text else ""


MASKS = {"phone": mask_phone, "email": mask_email, "id_number": mask_id_number, "name": mask_name}


def mask(value: str | None, kind: str) -> str:
    """Mask `value` as its kind requires."""
    if not value:
        return ""
    return MASKS.get(kind, mask_text)(value)
