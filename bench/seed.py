"""Add N published services, each with fees and commitments, to the benchmark database (after load_demo)."""

import datetime as dt
import sys

import django


def main(count: int) -> None:
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from charter.accounts.models import User
    from charter.catalog.models import ServiceCategory, ServiceCommitment
    from charter.catalog.selectors import service_draft_get
    from charter.catalog.services import (
        CommitmentContent,
        FeeContent,
        VersionContent,
        fee_item_add,
        service_commitment_add,
        service_create,
        service_version_draft_update,
        service_version_publish,
    )

    admin = User.objects.get(username="admin")
    categories = list(ServiceCategory.objects.all())
    effective_at = timezone.now() - dt.timedelta(days=30)
    with transaction.atomic():
        for index in range(count):
            service = service_create(
                actor=admin,
                slug=f"bench-service-{index}",
                category=categories[index % len(categories)],
                name_zh=f"压测服务项目{index}",
                name_en=f"Benchmark service {index}",
                summary_zh="用于性能测试的服务项目，内容长度与真实项目相当。" * 2,
                summary_en="A service for the benchmark, with text as long as a real one. " * 2,
            )
            draft = service_draft_get(service=service)
            assert draft is not None
            service_version_draft_update(
                actor=admin,
                version=draft,
                content=VersionContent(
                    description_zh="办理说明。" * 40,
                    description_en="How it works. " * 40,
                    eligibility_zh="本市居民及单位。",
                    required_documents_zh="身份证\n房产证\n申请表",
                    steps_zh="提交申请\n现场勘查\n办理完成",
                    opening_hours_zh="工作日 9:00-17:30",
                    channels=["web", "phone", "walk_in"],
                ),
            )
            for fee_index in range(3):
                fee_item_add(
                    actor=admin,
                    version=draft,
                    content=FeeContent(
                        name_zh=f"收费项目{fee_index}", amount=f"{fee_index * 25}.50", unit_zh="每次"
                    ),
                )
            service_commitment_add(
                actor=admin,
                version=draft,
                content=CommitmentContent(
                    metric=ServiceCommitment.Metric.FIRST_RESPONSE,
                    target_amount=4,
                    target_unit=ServiceCommitment.Unit.HOURS,
                    time_basis=ServiceCommitment.TimeBasis.WORKING_TIME,
                    wording_zh="受理后 4 个工作小时内答复",
                ),
            )
            service_commitment_add(
                actor=admin,
                version=draft,
                content=CommitmentContent(
                    metric=ServiceCommitment.Metric.RESOLUTION,
                    target_amount=5,
                    target_unit=ServiceCommitment.Unit.WORKING_DAYS,
                    time_basis=ServiceCommitment.TimeBasis.WORKING_TIME,
                    wording_zh="5 个工作日内办结",
                ),
            )
            service_version_publish(actor=admin, version=draft, effective_at=effective_at)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
