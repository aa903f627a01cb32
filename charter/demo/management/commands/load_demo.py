from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from charter.accounts import demo as accounts_demo
from charter.accounts.models import User
from charter.cases import demo as cases_demo
from charter.catalog import demo as catalog_demo
from charter.conduct.demo import conduct_demo_load
from charter.demo.assessment_story import demo_assessment_story_load
from charter.demo.conduct_story import demo_conduct_story_load
from charter.demo.history import demo_history_load
from charter.demo.privacy_story import demo_privacy_story_load
from charter.demo.training_story import demo_training_story_load
from charter.quality.demo import quality_demo_load
from charter.reports.monthly import monthly_report_generate
from charter.reports.periods import last_full_month
from charter.reports.rollups import rollup_refresh
from charter.reports.services import figures_refresh
from charter.sla import demo as sla_demo
from charter.standards import demo as standards_demo
from charter.surveys import demo as surveys_demo


class Command(BaseCommand):
    help = "Load the bilingual demo organisation through the same services as real use. Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            admin = accounts_demo.demo_load()
            standards_demo.demo_load(actor=admin)
            catalog_demo.demo_load(actor=admin)
            sla_demo.demo_load(actor=admin)
            cases_demo.demo_load(actor=admin)
            surveys_demo.demo_load(actor=admin)
            quality_demo_load(actor=admin)
            conduct_demo_load(actor=admin)
            demo_history_load(actor=admin)
            demo_conduct_story_load(actor=admin)
            demo_assessment_story_load(actor=admin)
            demo_training_story_load(actor=admin)
            demo_privacy_story_load(actor=admin)
            figures_refresh()
            rollup_refresh(full=True)  # the management dashboard's figures, all history
            # Last month's service quality report, as the worker prints it on the first working day.
            monthly_report_generate(month=last_full_month(timezone.now()).start)
            # Everyone the stories made who needs a second factor gets the demo's published authenticator.
            accounts_demo.demo_second_factor_enrol(users=User.objects.filter(is_active=True))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        for username, roles in accounts_demo.demo_sign_ins():
            self.stdout.write(f"  {username:<16} {accounts_demo.DEMO_PASSWORD}   ({roles})")
        self.stdout.write(
            "Administrators and supervisors also type a code: add the secret "
            f"{accounts_demo.DEMO_TOTP_SECRET} to an authenticator app (README, demo sign-ins)."
        )
