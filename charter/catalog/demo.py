"""Demo catalogue of a utilities and property-services company, loaded through the services.

`demo_load` is idempotent: categories and services that exist already (by slug) are left as they are.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction

from charter.accounts.models import OrgUnit, User
from charter.catalog.models import Channel, Service, ServiceCategory, ServiceVersion
from charter.catalog.models import ServiceCommitment as Commitment
from charter.catalog.services import (
    CategoryContent,
    CommitmentContent,
    FeeContent,
    VersionContent,
    fee_item_add,
    fee_item_delete,
    service_category_create,
    service_commitment_add,
    service_commitment_delete,
    service_create,
    service_version_draft_create,
    service_version_draft_update,
    service_version_publish,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
M = Commitment.Metric
U = Commitment.Unit
B = Commitment.TimeBasis

CATEGORIES: list[dict[str, Any]] = [
    {
        "slug": "water-electricity",
        "name_zh": "供水供电",
        "name_en": "Water and electricity",
        "description_zh": "新装报装、抄表和故障抢修。",
        "description_en": "New connections, meter readings and fault repairs.",
        "ordering": 10,
    },
    {
        "slug": "billing",
        "name_zh": "账单与发票",
        "name_en": "Bills and invoices",
        "description_zh": "账单查询、缴费和发票。",
        "description_en": "Bill inquiries, payments and invoices.",
        "ordering": 20,
    },
    {
        "slug": "property",
        "name_zh": "物业服务",
        "name_en": "Property services",
        "description_zh": "住宅小区的维修、入住和搬离。",
        "description_en": "Repairs, moving in and moving out in our residential estates.",
        "ordering": 30,
    },
    {
        "slug": "customer-care",
        "name_zh": "客户关怀",
        "name_en": "Customer care",
        "description_zh": "投诉、建议和表扬，我们都认真对待。",
        "description_en": "Complaints, suggestions and praise: we take each one seriously.",
        "ordering": 40,
    },
]

HALL_HOURS = {
    "opening_hours_zh": "营业厅：周一至周五 8:30–17:30，周六 9:00–12:00（法定节假日除外）",
    "opening_hours_en": "Service hall: Mon–Fri 8:30–17:30, Sat 9:00–12:00 (closed on public holidays)",
}
ALWAYS_OPEN = {
    "opening_hours_zh": "24 小时受理（热线 95598 / 在线）",
    "opening_hours_en": "Around the clock (hotline 95598 / online)",
}


def _fee(
    name_zh: str,
    name_en: str,
    amount: str,
    unit_zh: str,
    unit_en: str,
    *,
    conditions_zh: str = "",
    conditions_en: str = "",
) -> FeeContent:
    return FeeContent(
        name_zh=name_zh,
        name_en=name_en,
        amount=amount,
        unit_zh=unit_zh,
        unit_en=unit_en,
        conditions_zh=conditions_zh,
        conditions_en=conditions_en,
    )


def _free(name_zh: str, name_en: str, *, conditions_zh: str = "", conditions_en: str = "") -> FeeContent:
    return FeeContent(
        name_zh=name_zh,
        name_en=name_en,
        amount=None,
        conditions_zh=conditions_zh,
        conditions_en=conditions_en,
        is_free=True,
    )


def _promise(
    metric: str,
    amount: int,
    unit: str,
    basis: str,
    wording_zh: str,
    wording_en: str,
    *,
    case_kind: str = "",
    priority: str = "",
) -> CommitmentContent:
    return CommitmentContent(
        metric=metric,
        target_amount=amount,
        target_unit=unit,
        time_basis=basis,
        wording_zh=wording_zh,
        wording_en=wording_en,
        case_kind=case_kind,
        priority=priority,
    )


@dataclass
class DemoVersion:
    effective_at: dt.datetime
    content: dict[str, Any]
    fees: list[FeeContent]
    commitments: list[CommitmentContent]
    change_note_zh: str = ""
    change_note_en: str = ""


@dataclass
class DemoService:
    slug: str
    category: str
    ordering: int
    versions: list[DemoVersion] = field(default_factory=list)


def _at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=SHANGHAI)


WATER_CONNECTION_CONTENT = {
    "name_zh": "居民用水报装",
    "name_en": "Household water connection",
    "summary_zh": "为新建或改建住宅接通自来水并安装水表。",
    "summary_en": "Connect a new or rebuilt home to the water mains and fit a meter.",
    "description_zh": "受理后我们安排现场勘查，确定接水方案，完成施工并通水。",
    "description_en": "After we accept the request we survey the site, agree the connection plan, "
    "do the works and turn on the supply.",
    "eligibility_zh": "房屋产权人，或持产权人书面委托的人。",
    "eligibility_en": "The owner of the property, or a person with the owner's written authorisation.",
    "required_documents_zh": "身份证\n房屋产权证明或购房合同\n委托书（代办时）",
    "required_documents_en": "ID card\nProof of ownership or purchase contract\n"
    "Letter of authorisation (if acting for the owner)",
    "steps_zh": "提交申请\n现场勘查\n确认方案并缴费\n施工与装表\n通水验收",
    "steps_en": "Apply\nSite survey\nAgree the plan and pay\nWorks and meter fitting\n"
    "Supply turned on and checked",
    "channels": [Channel.WEB, Channel.PHONE, Channel.WALK_IN],
    **HALL_HOURS,
}


def _services() -> list[DemoService]:
    water_v1_fees = [
        _fee("接水工程费", "Connection works", "380.00", "每户", "per household"),
        _fee("水表及安装费", "Meter and fitting", "120.00", "每只", "per meter"),
        _free("现场勘查", "Site survey"),
    ]
    water_v2_fees = [
        _fee(
            "接水工程费",
            "Connection works",
            "300.00",
            "每户",
            "per household",
            conditions_zh="管线长度 20 米以内；超出部分按实结算。",
            conditions_en="Up to 20 m of pipe; longer runs at cost.",
        ),
        _free("水表及安装", "Meter and fitting"),
        _free("现场勘查", "Site survey"),
    ]
    return [
        DemoService(
            slug="water-connection",
            category="water-electricity",
            ordering=10,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content=WATER_CONNECTION_CONTENT,
                    fees=water_v1_fees,
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            1,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "受理后 1 个工作日内联系您预约勘查",
                            "We call you to book the survey within 1 working day",
                        ),
                        _promise(
                            M.RESOLUTION,
                            5,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "勘查后 5 个工作日内完成通水",
                            "Water on within 5 working days of the survey",
                        ),
                    ],
                    change_note_zh="首次发布。",
                    change_note_en="First publication.",
                ),
                DemoVersion(
                    effective_at=_at(2025, 1, 1),
                    content=WATER_CONNECTION_CONTENT,
                    fees=water_v2_fees,
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            4,
                            U.HOURS,
                            B.WORKING_TIME,
                            "受理后 4 个工作小时内联系您预约勘查",
                            "We call you to book the survey within 4 working hours",
                        ),
                        _promise(
                            M.RESOLUTION,
                            3,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "勘查后 3 个工作日内完成通水",
                            "Water on within 3 working days of the survey",
                        ),
                    ],
                    change_note_zh="接水工程费由 380 元降至 300 元，水表免费安装；"
                    "通水时限由 5 个工作日缩短至 3 个工作日。",
                    change_note_en="Connection works down from ¥380 to ¥300, meters fitted free; "
                    "water on within 3 working days instead of 5.",
                ),
            ],
        ),
        DemoService(
            slug="electricity-connection",
            category="water-electricity",
            ordering=20,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 3, 1),
                    content={
                        "name_zh": "低压用电报装",
                        "name_en": "Low-voltage electricity connection",
                        "summary_zh": "居民和小微企业的低压新装、增容。",
                        "summary_en": "New low-voltage supplies and capacity increases for homes and small "
                        "businesses.",
                        "eligibility_zh": "房屋产权人或经营场所的合法使用人。",
                        "eligibility_en": "The owner of the premises or its lawful user.",
                        "required_documents_zh": "身份证或营业执照\n房屋产权证明或租赁合同",
                        "required_documents_en": "ID card or business licence\nProof of ownership or lease",
                        "steps_zh": "提交申请\n现场勘查并答复供电方案\n装表接电",
                        "steps_en": "Apply\nSite survey and supply plan\nMeter fitted and supply connected",
                        "channels": [Channel.WEB, Channel.PHONE, Channel.WALK_IN, Channel.API],
                        **HALL_HOURS,
                    },
                    fees=[
                        _free(
                            "低压居民新装",
                            "New household supply",
                            conditions_zh="表计及表前线路由我公司承担。",
                            conditions_en="We bear the meter and the line up to it.",
                        ),
                        _fee(
                            "增容工程费",
                            "Capacity increase works",
                            "150.00",
                            "每千伏安",
                            "per kVA",
                            conditions_zh="仅限小微企业增容。",
                            conditions_en="Small businesses only.",
                        ),
                    ],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            1,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "受理后 1 个工作日内完成现场勘查预约",
                            "Survey booked within 1 working day",
                        ),
                        _promise(
                            M.RESOLUTION,
                            5,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "居民用户 5 个工作日内装表接电",
                            "Households connected within 5 working days",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="meter-reading-dispute",
            category="water-electricity",
            ordering=30,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "抄表读数异议",
                        "name_en": "Meter reading dispute",
                        "summary_zh": "对水表、电表读数有疑问时申请复核或校验。",
                        "summary_en": "Ask us to recheck or test a water or electricity meter "
                        "whose reading you doubt.",
                        "eligibility_zh": "户主或账户联系人。",
                        "eligibility_en": "The account holder or its contact person.",
                        "required_documents_zh": "户号\n表计照片（可选）",
                        "required_documents_en": "Account number\nA photo of the meter (optional)",
                        "steps_zh": "提出异议\n上门复核读数\n必要时送检表计\n答复并调整账单",
                        "steps_en": "Raise the dispute\nWe recheck the reading on site\nMeter tested if "
                        "needed\nAnswer and bill corrected",
                        "channels": [Channel.WEB, Channel.PHONE, Channel.WALK_IN, Channel.EMAIL],
                        **HALL_HOURS,
                    },
                    fees=[
                        _free("读数复核", "Reading recheck"),
                        _fee(
                            "表计校验费",
                            "Meter test",
                            "50.00",
                            "每只",
                            "per meter",
                            conditions_zh="校验结果表计准确时收取；表计超差时免收并退还多收费用。",
                            conditions_en="Charged only if the meter proves accurate; "
                            "if not, free and we refund any overcharge.",
                        ),
                    ],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            1,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "受理后 1 个工作日内答复",
                            "We answer within 1 working day",
                        ),
                        _promise(
                            M.RESOLUTION,
                            5,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "5 个工作日内完成复核并答复结果",
                            "Recheck done and result given within 5 working days",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="fault-repair",
            category="water-electricity",
            ordering=40,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "停水停电故障抢修",
                        "name_en": "Supply fault repair",
                        "summary_zh": "停水、停电、爆管等故障，全天候抢修。",
                        "summary_en": "Loss of supply, burst pipes and other faults, "
                        "repaired around the clock.",
                        "eligibility_zh": "任何人均可报修。",
                        "eligibility_en": "Anyone may report a fault.",
                        "steps_zh": "报修\n抢修人员到达现场\n修复并回访",
                        "steps_en": "Report the fault\nCrew arrives on site\nRepaired, then we call back",
                        "channels": [Channel.PHONE, Channel.WEB, Channel.API],
                        **ALWAYS_OPEN,
                    },
                    fees=[
                        _free(
                            "抢修服务",
                            "Fault repair",
                            conditions_zh="产权分界点以内由我公司负责。",
                            conditions_en="Within our side of the ownership boundary.",
                        )
                    ],
                    commitments=[
                        _promise(
                            M.ON_SITE_ARRIVAL,
                            45,
                            U.MINUTES,
                            B.CALENDAR_TIME,
                            "城区 45 分钟内到达现场",
                            "In town, on site within 45 minutes",
                        ),
                        _promise(
                            M.RESOLUTION,
                            24,
                            U.HOURS,
                            B.CALENDAR_TIME,
                            "一般故障 24 小时内恢复供应",
                            "Ordinary faults fixed within 24 hours",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="bill-inquiry",
            category="billing",
            ordering=10,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "账单查询",
                        "name_en": "Bill inquiry",
                        "summary_zh": "查询账单明细、缴费记录和计费标准。",
                        "summary_en": "Ask about the lines of a bill, your payments and our tariffs.",
                        "eligibility_zh": "户主或账户联系人。",
                        "eligibility_en": "The account holder or its contact person.",
                        "required_documents_zh": "户号或账户绑定的手机号",
                        "required_documents_en": "Account number or the phone number on the account",
                        "channels": [Channel.WEB, Channel.PHONE, Channel.WALK_IN, Channel.EMAIL, Channel.API],
                        **ALWAYS_OPEN,
                    },
                    fees=[_free("账单查询", "Bill inquiry")],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            2,
                            U.HOURS,
                            B.WORKING_TIME,
                            "在线和邮件咨询 2 个工作小时内答复",
                            "Online and e-mail questions answered within 2 working hours",
                        ),
                        _promise(
                            M.RESOLUTION,
                            1,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "需核查的问题 1 个工作日内给出结果",
                            "Questions that need checking answered within 1 working day",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="invoice-reissue",
            category="billing",
            ordering=20,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "发票补开",
                        "name_en": "Invoice reissue",
                        "summary_zh": "补开或重开电子发票、纸质发票。",
                        "summary_en": "Reissue or correct an electronic or paper invoice.",
                        "eligibility_zh": "已缴费的户主或其单位。",
                        "eligibility_en": "The account holder (or company) who paid.",
                        "required_documents_zh": "户号\n开票抬头和税号",
                        "required_documents_en": "Account number\nInvoice title and tax number",
                        "steps_zh": "提交申请\n核对缴费记录\n开具并发送发票",
                        "steps_en": "Apply\nWe check the payment\nInvoice issued and sent",
                        "channels": [Channel.WEB, Channel.WALK_IN, Channel.EMAIL],
                        **HALL_HOURS,
                    },
                    fees=[
                        _free("电子发票", "Electronic invoice"),
                        _fee(
                            "纸质发票邮寄",
                            "Paper invoice by post",
                            "10.00",
                            "每次",
                            "per dispatch",
                            conditions_zh="到付亦可。",
                            conditions_en="Cash on delivery also possible.",
                        ),
                    ],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            4,
                            U.HOURS,
                            B.WORKING_TIME,
                            "受理后 4 个工作小时内确认",
                            "Confirmed within 4 working hours",
                        ),
                        _promise(
                            M.RESOLUTION,
                            2,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "2 个工作日内开具发票",
                            "Invoice issued within 2 working days",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="home-repair",
            category="property",
            ordering=10,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "室内有偿维修",
                        "name_en": "In-home repairs",
                        "summary_zh": "水电、门窗、洁具等户内维修，按价目表收费。",
                        "summary_en": "Plumbing, wiring, doors, windows and fixtures inside your home, "
                        "at list prices.",
                        "eligibility_zh": "本小区业主和住户。",
                        "eligibility_en": "Owners and residents of our estates.",
                        "steps_zh": "报修并预约时间\n维修人员上门报价\n确认后维修\n验收付款",
                        "steps_en": "Report and book a time\nTechnician quotes on site\nRepair once you "
                        "agree\nCheck the work and pay",
                        "channels": [Channel.PHONE, Channel.WEB, Channel.WALK_IN],
                        "opening_hours_zh": "每天 8:00–20:00",
                        "opening_hours_en": "Daily 8:00–20:00",
                    },
                    fees=[
                        _fee(
                            "上门服务费",
                            "Call-out",
                            "30.00",
                            "每次",
                            "per visit",
                            conditions_zh="维修完成的免收。",
                            conditions_en="Waived when we do the repair.",
                        ),
                        _fee("更换水龙头（人工）", "Replace a tap (labour)", "40.00", "每个", "each"),
                        _fee("疏通下水道", "Clear a drain", "80.00", "每处", "each"),
                    ],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            30,
                            U.MINUTES,
                            B.WORKING_TIME,
                            "服务时间内 30 分钟内响应",
                            "We respond within 30 minutes during service hours",
                        ),
                        _promise(
                            M.RESOLUTION,
                            2,
                            U.CALENDAR_DAYS,
                            B.CALENDAR_TIME,
                            "一般维修 2 天内完成",
                            "Ordinary repairs done within 2 days",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="common-area-repair",
            category="property",
            ordering=20,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "公共区域维修",
                        "name_en": "Common area repairs",
                        "summary_zh": "楼道照明、电梯、门禁、绿化等公共设施报修。",
                        "summary_en": "Stair lighting, lifts, entry systems, gardens "
                        "and other shared facilities.",
                        "eligibility_zh": "任何业主、住户或访客。",
                        "eligibility_en": "Any owner, resident or visitor.",
                        "channels": [Channel.PHONE, Channel.WEB, Channel.WALK_IN, Channel.API],
                        **ALWAYS_OPEN,
                    },
                    fees=[
                        _free(
                            "公共区域维修",
                            "Common area repair",
                            conditions_zh="费用由物业服务费承担。",
                            conditions_en="Covered by the service charge.",
                        )
                    ],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            15,
                            U.MINUTES,
                            B.CALENDAR_TIME,
                            "电梯困人 15 分钟内到场",
                            "People trapped in a lift: on site within 15 minutes",
                            priority=Commitment.Priority.URGENT,
                        ),
                        _promise(
                            M.FIRST_RESPONSE,
                            2,
                            U.HOURS,
                            B.CALENDAR_TIME,
                            "2 小时内响应",
                            "We respond within 2 hours",
                        ),
                        _promise(
                            M.RESOLUTION,
                            3,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "一般维修 3 个工作日内完成",
                            "Ordinary repairs done within 3 working days",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="move-in-out",
            category="property",
            ordering=30,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "入住与搬离手续",
                        "name_en": "Moving in and out",
                        "summary_zh": "办理入住交房、装修登记、搬离结算。",
                        "summary_en": "Handover when you move in, renovation registration, "
                        "settlement when you leave.",
                        "eligibility_zh": "业主，或持业主委托的租户。",
                        "eligibility_en": "Owners, or tenants authorised by the owner.",
                        "required_documents_zh": "身份证\n购房合同或租赁合同\n水电表读数确认单",
                        "required_documents_en": "ID card\nPurchase contract or lease\nSigned meter readings",
                        "steps_zh": "预约办理\n核验资料\n交接钥匙与表计读数\n结清费用",
                        "steps_en": "Book an appointment\nDocuments checked\nKeys and meter readings handed "
                        "over\nAccount settled",
                        "channels": [Channel.WALK_IN, Channel.PHONE],
                        **HALL_HOURS,
                    },
                    fees=[
                        _free("入住手续", "Move-in handover"),
                        _fee(
                            "装修垃圾清运费",
                            "Renovation waste removal",
                            "200.00",
                            "每户",
                            "per home",
                            conditions_zh="仅在装修时收取。",
                            conditions_en="Only when renovating.",
                        ),
                        _fee("门禁卡补办", "Replacement entry card", "20.00", "每张", "per card"),
                    ],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            1,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "1 个工作日内确认预约",
                            "Appointment confirmed within 1 working day",
                        ),
                        _promise(
                            M.RESOLUTION,
                            1,
                            U.HOURS,
                            B.WORKING_TIME,
                            "资料齐全的，1 小时内办结",
                            "Done within 1 hour when your documents are complete",
                        ),
                    ],
                ),
            ],
        ),
        DemoService(
            slug="complaint-handling",
            category="customer-care",
            ordering=10,
            versions=[
                DemoVersion(
                    effective_at=_at(2024, 1, 1),
                    content={
                        "name_zh": "投诉处理",
                        "name_en": "Complaint handling",
                        "summary_zh": "对我们的服务、收费或工作人员不满意时，请告诉我们。",
                        "summary_en": "Tell us when our service, our charges or our staff fell short.",
                        "description_zh": "每件投诉都有受理编号。投诉由与被投诉人无关的人员调查；"
                        "您对处理结果不满意的，可以申请复核。",
                        "description_en": "Every complaint gets a reference number. "
                        "It is investigated by someone not involved in what you complain about; "
                        "if you disagree with the outcome you may ask for a review.",
                        "eligibility_zh": "任何客户。",
                        "eligibility_en": "Any customer.",
                        "steps_zh": "提出投诉\n立即获得受理编号\n调查核实\n"
                        "答复处理结果及理由\n不满意可申请复核",
                        "steps_en": "Make the complaint\nReference number at once\nInvestigation\n"
                        "Decision with reasons\nReview on request",
                        "channels": [Channel.WEB, Channel.PHONE, Channel.WALK_IN, Channel.EMAIL, Channel.API],
                        **ALWAYS_OPEN,
                    },
                    fees=[_free("投诉处理", "Complaint handling")],
                    commitments=[
                        _promise(
                            M.FIRST_RESPONSE,
                            1,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "受理后 1 个工作日内与您联系",
                            "We contact you within 1 working day",
                        ),
                        _promise(
                            M.NEXT_RESPONSE,
                            3,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "处理期间至少每 3 个工作日告知进展",
                            "News of progress at least every 3 working days",
                        ),
                        _promise(
                            M.RESOLUTION,
                            7,
                            U.WORKING_DAYS,
                            B.WORKING_TIME,
                            "7 个工作日内答复处理结果",
                            "Decision within 7 working days",
                        ),
                        _promise(
                            M.RESOLUTION,
                            15,
                            U.CALENDAR_DAYS,
                            B.CALENDAR_TIME,
                            "复杂投诉 15 天内答复",
                            "Complex complaints decided within 15 days",
                            case_kind=Commitment.CaseKind.COMPLAINT,
                            priority=Commitment.Priority.LOW,
                        ),
                    ],
                ),
            ],
        ),
    ]


def _fill(actor: User, draft: ServiceVersion, spec: DemoVersion) -> None:
    # What the spec leaves out keeps the draft's value.
    service_version_draft_update(actor=actor, version=draft, content=VersionContent.from_data(spec.content))
    for fee in list(draft.fees.all()):
        fee_item_delete(actor=actor, fee=fee)
    for item in list(draft.commitments.all()):
        service_commitment_delete(actor=actor, commitment=item)
    # The spec lists fees and commitments in the order they are shown.
    for ordering, priced in enumerate(spec.fees):
        fee_item_add(actor=actor, version=draft, content=replace(priced, ordering=ordering))
    for ordering, promise in enumerate(spec.commitments):
        service_commitment_add(actor=actor, version=draft, content=replace(promise, ordering=ordering))
    service_version_publish(
        actor=actor,
        version=draft,
        effective_at=spec.effective_at,
        change_note_zh=spec.change_note_zh,
        change_note_en=spec.change_note_en,
    )


def demo_load(*, actor: User) -> None:
    """Load the demo catalogue (4 categories, 10 services, one with two versions) through the services.

    `actor` must be allowed to edit and publish (an administrator). Idempotent: what exists is kept.
    """
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    with transaction.atomic():
        categories: dict[str, ServiceCategory] = {}
        for values in CATEGORIES:
            existing = ServiceCategory.objects.filter(slug=values["slug"]).first()
            categories[values["slug"]] = existing or service_category_create(
                actor=actor,
                slug=values["slug"],
                content=CategoryContent.from_data(values),
            )
        for spec in _services():
            if Service.objects.filter(slug=spec.slug).exists():
                continue
            first = spec.versions[0]
            service = service_create(
                actor=actor,
                slug=spec.slug,
                category=categories[spec.category],
                name_zh=first.content["name_zh"],
                name_en=first.content.get("name_en", ""),
                org_unit=root,
                ordering=spec.ordering,
            )
            draft = service.versions.get()
            for index, version_spec in enumerate(spec.versions):
                if index > 0:
                    draft = service_version_draft_create(actor=actor, service=service)
                _fill(actor, draft, version_spec)
