import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from charter.accounts.models import Customer, Team
from charter.cases.models import CaseAttachment
from charter.cases.services import attachment_orphans_delete
from tests.cases.conftest import new_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]


def _age(path: str, hours: float) -> None:
    past = time.time() - hours * 3600
    os.utime(default_storage.path(path), (past, past))


def test_old_unreferenced_files_go_and_everything_else_stays(
    routed_team: Team, other_customer: Customer
) -> None:
    case = new_case(None, other_customer, attachments=[SimpleUploadedFile("a.txt", b"hello", "text/plain")])
    kept = CaseAttachment.objects.get(case=case).file.name
    folder = kept.rsplit("/", 1)[0]
    old_orphan = default_storage.save(f"{folder}/orphan-old", ContentFile(b"x"))
    new_orphan = default_storage.save(f"{folder}/orphan-new", ContentFile(b"y"))
    _age(kept, 5)
    _age(old_orphan, 5)

    deleted = attachment_orphans_delete()

    assert deleted == 1
    assert default_storage.exists(kept)
    assert default_storage.exists(new_orphan)
    assert not default_storage.exists(old_orphan)


def test_nothing_stored_yet_deletes_nothing() -> None:
    assert attachment_orphans_delete() == 0
