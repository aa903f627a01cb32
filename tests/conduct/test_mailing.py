"""The notices to the staff member exist in both languages and reach him in his own."""

from typing import Any

import pytest

from charter.accounts.models import User
from charter.conduct.mailing import KEYS
from charter.conduct.services import violation_decide
from charter.mail.models import OutboundMessage
from charter.mail.rendering import template_default, template_preview
from charter.standards.models import StandardVersion
from tests.conduct.conftest import Recorder, step


@pytest.mark.parametrize("key", sorted(KEYS.values()))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_notice_renders_in_both_languages(key: str, language: str) -> None:
    subject, body = template_default(key, language)

    rendered = template_preview(key, subject, body)

    assert rendered.subject and "{{" not in rendered.body


@pytest.mark.django_db
def test_an_english_reader_gets_the_english_notice(
    record: Recorder,
    supervisor: User,
    member: User,
    acknowledged: StandardVersion,
    django_capture_on_commit_callbacks: Any,
) -> None:
    member.language = "en"
    member.save()
    violation = record()

    with django_capture_on_commit_callbacks(execute=True):
        violation_decide(actor=supervisor, violation=violation, step=step("education"))

    mail = OutboundMessage.objects.get(template="conduct.decided")
    assert mail.subject.startswith("Notice of a disciplinary decision")
    assert "/desk/conduct/violations/" in mail.body
