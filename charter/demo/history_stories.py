"""The demo history's cases, service by service: what customers ask, how often, by which channels, how
often each kind of promise is missed, and how customers rate the service (read by `charter.demo.history`).

Texts in Chinese use full-width punctuation; a text may name `{month}`, `{previous}` or `{month_en}`, filled
from the month the case came in, so that what a customer writes agrees with the case's dates.
"""

import dataclasses

from charter.cases.models import CaseClock, RootCause
from charter.common.vocabulary import CaseKind, Priority

Metric = CaseClock.Metric
FIRST, NEXT, RESOLUTION, ON_SITE = (
    Metric.FIRST_RESPONSE,
    Metric.NEXT_RESPONSE,
    Metric.RESOLUTION,
    Metric.ON_SITE_ARRIVAL,
)


@dataclasses.dataclass(frozen=True)
class Story:
    """What a customer asks and how staff answer it. Texts may name `{month}` (the month the case came in),
    `{previous}` (the month before) and `{month_en}`, so that they agree with the case's dates."""

    title: str
    description: str
    reply: str
    reasons: str
    kind: str = CaseKind.SERVICE_REQUEST
    outcome: str = "done"
    root_cause: str = ""
    category: str = ""
    priority: str = Priority.NORMAL
    language: str = "zh-hans"


@dataclasses.dataclass(frozen=True)
class Stream:
    """One kind of case a service receives: how many each month (oldest first), by which channels."""

    volumes: tuple[int, ...]
    channels: tuple[str, ...]
    stories: tuple[Story, ...]


@dataclasses.dataclass(frozen=True)
class Profile:
    """How a service fares: its cases, how often each kind of promise is missed, how customers rate it."""

    slug: str
    streams: tuple[Stream, ...]
    miss_rates: tuple[tuple[str, float], ...]
    satisfied: float  # the chance that an answer is 4 or 5
    answering: float  # the chance that a customer answers the survey
    around_the_clock: bool = False

    def miss_rate(self, metric: str) -> float:
        return dict(self.miss_rates).get(metric, 0.1)


def _zh(
    title: str, description: str, reply: str, reasons: str, **more: str
) -> Story:  # a Chinese story, the common case
    return Story(title=title, description=description, reply=reply, reasons=reasons, **more)


def _en(title: str, description: str, reply: str, reasons: str, **more: str) -> Story:
    return Story(title=title, description=description, reply=reply, reasons=reasons, language="en", **more)


INQUIRY, COMPLAINT = CaseKind.INQUIRY, CaseKind.COMPLAINT
WEB, PHONE, WALK_IN, EMAIL = "web", "phone", "walk_in", "email"

PROFILES = (
    Profile(
        slug="bill-inquiry",
        streams=(
            Stream(
                volumes=(6, 7, 5, 4, 9),
                channels=(WEB, WEB, PHONE, EMAIL),
                stories=(
                    _zh(
                        "{month}月水费账单金额偏高",
                        "{month}月收到的水费账单比平时高出不少，家里没有漏水，请帮忙核实。",
                        "您好，已收到您的账单疑问，我们正在调取抄表记录核实，核实后第一时间答复您。",
                        "经核实，本期账单含上期估抄少计的用量，读数无误，已向客户逐项说明计费明细。",
                        kind=INQUIRY,
                        outcome="answered",
                        category="billing-amount",
                    ),
                    _zh(
                        "缴费后仍显示欠费",
                        "昨天已在网上缴清电费，今天查询仍显示欠费，担心被停电。",
                        "您好，已收到，我们正在与银行核对您的缴费记录，请不必担心停电。",
                        "银行划款到账延迟，款项现已入账，欠费提示已消除，已电话告知客户。",
                        kind=INQUIRY,
                        outcome="answered",
                        category="billing",
                    ),
                    _zh(
                        "阶梯水价如何计算",
                        "想了解阶梯水价的分档标准，以及{previous}月账单是按哪一档计费的。",
                        "您好，感谢您的咨询，我们整理好分档标准和您的计费明细后马上答复您。",
                        "已告知阶梯水价的分档标准，并按客户{previous}月的用量逐档说明了计算方法。",
                        kind=INQUIRY,
                        outcome="answered",
                        category="billing",
                    ),
                    _zh(
                        "按时缴费仍被收取滞纳金",
                        "{previous}月的水费在截止日前就缴了，{month}月账单里却多了一笔滞纳金。",
                        "您好，非常抱歉给您带来困扰，我们正在核查缴费时间和滞纳金的计算。",
                        "经核实，系银行批量划款延迟导致误计滞纳金，已退还并向客户致歉。",
                        kind=COMPLAINT,
                        outcome="upheld",
                        root_cause=RootCause.SYSTEM_FAULT,
                        category="billing-amount",
                    ),
                    _en(
                        "Question about my {month_en} bill",
                        "My {month_en} water bill is almost twice the usual amount. "
                        "Could you check the reading?",
                        "Hello, thank you for writing. We are checking the meter readings and will get back "
                        "to you shortly.",
                        "The previous bill was based on an estimate; this one includes the difference. We "
                        "explained the breakdown to the customer.",
                        kind=INQUIRY,
                        outcome="answered",
                        category="billing-amount",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.05), (RESOLUTION, 0.17)),
        satisfied=0.86,
        answering=0.75,
    ),
    Profile(
        slug="fault-repair",
        streams=(
            Stream(
                volumes=(5, 7, 4, 3, 7),
                channels=(PHONE, PHONE, PHONE, WEB),
                stories=(
                    _zh(
                        "小区停水",
                        "小区从早上起一直停水，没有看到停水通知，请尽快处理。",
                        "您好，抢修人员已出发，预计很快到达现场，请您稍候。",
                        "供水管道阀门故障，已更换阀门并恢复供水。",
                        category="supply-outage",
                    ),
                    _zh(
                        "单元楼停电",
                        "我们单元整栋楼停电，电梯也停了，家里有老人。",
                        "您好，抢修人员已出发前往现场，请注意用电安全。",
                        "单元配电箱总开关跳闸，经检修更换损坏部件后已恢复供电。",
                        category="supply-outage",
                    ),
                    _zh(
                        "路面冒水疑似水管破裂",
                        "小区门口路面一直往外冒水，疑似地下水管破裂。",
                        "您好，抢修人员已出发，到场后会先关闭附近阀门。",
                        "地下供水管破裂，已开挖抢修、恢复供水并回填路面。",
                        category="supply-outage",
                    ),
                    _en(
                        "No water since this morning",
                        "There has been no water in our flat since seven this morning.",
                        "Hello, our repair crew is on its way and will be with you soon.",
                        "A valve on the supply line had failed; it was replaced and the supply restored.",
                        category="supply-outage",
                    ),
                ),
            ),
        ),
        miss_rates=((ON_SITE, 0.16), (RESOLUTION, 0.08)),
        satisfied=0.8,
        answering=0.7,
        around_the_clock=True,
    ),
    Profile(
        slug="meter-reading-dispute",
        streams=(
            Stream(
                volumes=(3, 4, 4, 2, 6),
                channels=(PHONE, WEB, WALK_IN),
                stories=(
                    _zh(
                        "抄表读数明显偏大",
                        "{month}月账单上的读数比水表表盘上的读数大了三十多吨，请重新核实。",
                        "您好，已收到您的复核申请，我们会安排人员上门复抄。",
                        "经现场复抄，系抄表录入错误，已更正读数并重新出具账单。",
                        kind=COMPLAINT,
                        outcome="upheld",
                        root_cause=RootCause.PROCESS,
                        category="supply-meter",
                    ),
                    _zh(
                        "估抄读数有疑问",
                        "{previous}月家中无人，账单显示为估抄，想按实际读数计费。",
                        "您好，已受理，我们会尽快安排上门抄表。",
                        "已上门复抄，按实际读数重新计费，差额在下期账单中抵扣。",
                        kind=INQUIRY,
                        outcome="answered",
                        category="supply-meter",
                    ),
                    _zh(
                        "用水量异常要求复核水表",
                        "{month}月用水量比平时多了一倍，怀疑水表计量不准。",
                        "您好，已收到您的复核申请，我们会上门核查水表。",
                        "现场复核读数无误，水表检定合格；已提醒客户检查户内管道是否渗漏。",
                        kind=COMPLAINT,
                        outcome="not_upheld",
                        category="supply-meter",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.1), (RESOLUTION, 0.18)),
        satisfied=0.66,
        answering=0.8,
    ),
    Profile(
        slug="water-connection",
        streams=(
            Stream(
                volumes=(4, 5, 5, 3, 7),
                channels=(WALK_IN, WEB, WEB, PHONE),
                stories=(
                    _zh(
                        "新房报装自来水",
                        "新购住房需要办理自来水报装，材料已备齐，请安排现场勘查。",
                        "您好，您的报装申请已受理，工作人员会与您预约现场勘查时间。",
                        "已完成现场勘查、接水施工和装表，现已通水。",
                    ),
                    _zh(
                        "商铺申请接水",
                        "临街商铺准备开业，需要单独接一路自来水并安装水表。",
                        "您好，已受理您的接水申请，我们会尽快联系您确认勘查时间。",
                        "勘查确认方案后已完成接水和装表，商铺已正常用水。",
                    ),
                    _zh(
                        "老房改造重新接水",
                        "老房翻新，原来的进户水管需要改线重接。",
                        "您好，已受理，我们会先上门查看现有管线。",
                        "已完成进户管改线并更换新表，验收合格后恢复通水。",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.09), (RESOLUTION, 0.15)),
        satisfied=0.92,
        answering=0.8,
    ),
    Profile(
        slug="electricity-connection",
        streams=(
            Stream(
                volumes=(3, 3, 4, 2, 6),
                channels=(WALK_IN, WEB, PHONE),
                stories=(
                    _zh(
                        "新装电表申请",
                        "新房需要安装电表，请告知办理流程并安排装表。",
                        "您好，您的申请已受理，工作人员会与您预约现场勘查。",
                        "已完成现场勘查和装表接电，客户已正常用电。",
                    ),
                    _zh(
                        "充电桩报装",
                        "想在自家车位安装充电桩，申请单独装一块电表。",
                        "您好，已受理您的充电桩报装，我们会联系您和物业确认安装位置。",
                        "已完成勘查、装表和接电，充电桩可正常使用。",
                    ),
                    _en(
                        "New electricity meter for my flat",
                        "I have just moved into a new flat and need an electricity meter fitted.",
                        "Hello, we have received your application and will call you to book the survey.",
                        "The meter was fitted and the supply connected after the site survey.",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.12), (RESOLUTION, 0.1)),
        satisfied=0.84,
        answering=0.75,
    ),
    Profile(
        slug="invoice-reissue",
        streams=(
            Stream(
                volumes=(4, 3, 4, 3, 8),
                channels=(WEB, EMAIL, WALK_IN),
                stories=(
                    _zh(
                        "补开{previous}月电费发票",
                        "单位报销需要{previous}月的电费发票，原发票遗失，请补开。",
                        "您好，已受理，请确认发票抬头和纳税人识别号。",
                        "已核对抬头和税号，补开的电子发票已发送至客户邮箱。",
                        category="billing-invoice",
                    ),
                    _zh(
                        "发票抬头需要更改",
                        "电子发票抬头开成了个人姓名，需要改为单位名称重新开具。",
                        "您好，已受理，我们核对信息后为您重新开具。",
                        "已作废原发票并按单位名称重新开具，客户已收到。",
                        category="billing-invoice",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.05), (RESOLUTION, 0.14)),
        satisfied=0.94,
        answering=0.65,
    ),
    Profile(
        slug="home-repair",
        streams=(
            Stream(
                volumes=(5, 6, 5, 3, 10),
                channels=(PHONE, WEB, WEB),
                stories=(
                    _zh(
                        "厨房水龙头漏水",
                        "厨房水龙头关不紧，一直滴水，请安排师傅上门维修。",
                        "您好，已收到您的报修，维修师傅会与您预约上门时间。",
                        "已更换水龙头阀芯，试用无渗漏。",
                        category="property-home",
                    ),
                    _zh(
                        "卫生间下水堵塞",
                        "卫生间地漏下水很慢，疏通剂也没用。",
                        "您好，已受理，维修师傅会尽快联系您上门。",
                        "已疏通卫生间下水管道并清理地漏，排水恢复正常。",
                        category="property-home",
                    ),
                    _zh(
                        "客厅插座没电",
                        "客厅两个插座突然没电了，空气开关没有跳闸。",
                        "您好，已收到，电工师傅会与您联系上门检查。",
                        "插座线路接头松脱，已重新接线并检测，用电正常。",
                        category="property-home",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.18), (RESOLUTION, 0.06)),
        satisfied=0.82,
        answering=0.75,
    ),
    Profile(
        slug="common-area-repair",
        streams=(
            Stream(
                volumes=(4, 5, 4, 2, 6),
                channels=(PHONE, WEB),
                stories=(
                    _zh(
                        "楼道灯不亮",
                        "我们单元五楼到七楼的楼道灯都不亮，晚上上下楼很不安全。",
                        "您好，已收到，维修人员会尽快上门检查。",
                        "已更换损坏的感应灯，楼道照明恢复正常。",
                        category="property-common",
                    ),
                    _zh(
                        "单元门禁损坏",
                        "单元门禁刷卡没反应，门一直关不上。",
                        "您好，已受理，维修人员会尽快到场处理。",
                        "门禁控制器故障，已更换并测试，刷卡开门正常。",
                        category="property-common",
                    ),
                    _zh(
                        "地下车库积水",
                        "昨晚下雨后地下车库入口积水很深，车辆进出困难。",
                        "您好，已收到，我们马上安排人员排水并检查排水沟。",
                        "已清理堵塞的排水沟并抽排积水，车库通行恢复正常。",
                        category="property-common",
                    ),
                ),
            ),
            Stream(
                volumes=(1, 1, 0, 0, 1),
                channels=(PHONE,),
                stories=(
                    _zh(
                        "电梯困人",
                        "电梯停在两层楼之间，里面有人被困，请马上派人。",
                        "您好，维保人员正赶往现场，请被困人员保持冷静，不要强行扒门。",
                        "维保人员到场解救被困人员，电梯经检修后恢复运行。",
                        priority=Priority.URGENT,
                        category="property-common",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.13), (RESOLUTION, 0.09)),
        satisfied=0.76,
        answering=0.7,
    ),
    Profile(
        slug="move-in-out",
        streams=(
            Stream(
                volumes=(4, 5, 4, 2, 6),
                channels=(WALK_IN, WALK_IN, WEB),
                stories=(
                    _zh(
                        "办理入住交接",
                        "新业主办理入住，需要抄表和交接钥匙。",
                        "您好，已为您登记，请携带购房合同和身份证到服务中心办理。",
                        "已完成水电抄表并交接钥匙，读数已登记。",
                    ),
                    _zh(
                        "办理退租结算",
                        "租约到期搬离，需要办理水电费结算和退房交接。",
                        "您好，已为您登记，请到服务中心办理结算。",
                        "已抄表结算水电费，房屋和钥匙交接完毕。",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.04), (RESOLUTION, 0.12)),
        satisfied=0.9,
        answering=0.6,
    ),
    Profile(
        slug="complaint-handling",
        streams=(
            Stream(
                volumes=(3, 4, 3, 2, 6),
                channels=(PHONE, WEB, EMAIL),
                stories=(
                    _zh(
                        "维修师傅未按约定时间上门",
                        "约好上午十点上门维修，一直等到中午也没人来，电话也打不通。",
                        "您好，非常抱歉给您带来不便，我们正在向维修班组核实情况。",
                        "经核实系派工排班冲突所致，已向客户致歉并当天补派人员完成维修。",
                        kind=COMPLAINT,
                        outcome="upheld",
                        root_cause=RootCause.TIMELINESS,
                        category="conduct-punctuality",
                    ),
                    _zh(
                        "营业厅排队时间过长",
                        "在营业厅排了一个多小时才办上业务，只开了两个窗口。",
                        "您好，感谢您的反映，我们正在调取当天的窗口排班和取号记录。",
                        "当天因系统升级临时关闭部分窗口，已向客户致歉，并调整高峰时段的窗口安排。",
                        kind=COMPLAINT,
                        outcome="partly_upheld",
                        root_cause=RootCause.PROCESS,
                        category="conduct",
                    ),
                    _zh(
                        "热线长时间无人接听",
                        "连续三次拨打服务热线，每次都等了十几分钟没人接。",
                        "您好，非常抱歉让您久等，我们正在核查当天的来电和接听记录。",
                        "当天话务量激增导致等待过长，已向客户致歉，并增加高峰时段的坐席。",
                        kind=COMPLAINT,
                        outcome="upheld",
                        root_cause=RootCause.PROCESS,
                        category="conduct",
                    ),
                    _en(
                        "Nobody called me back",
                        "I was promised a call back about my meter two weeks ago and nobody called.",
                        "Hello, we are sorry you were not called back. We are looking into what happened.",
                        "The call-back request had not been passed on; we apologised and called the customer "
                        "the same day.",
                        kind=COMPLAINT,
                        outcome="upheld",
                        root_cause=RootCause.COMMUNICATION,
                        category="conduct",
                    ),
                ),
            ),
            Stream(
                volumes=(1, 0, 1, 0, 1),
                channels=(WEB, EMAIL),
                stories=(
                    _zh(
                        "多次报修仍未彻底解决",
                        "卫生间漏水已经报修三次，每次修完没多久又漏，要求彻底解决。",
                        "您好，非常抱歉问题反复出现，我们会组织技术人员会同维修班组上门查勘。",
                        "经联合查勘，系楼板内预埋管老化所致，已整段更换并回访确认不再渗漏。",
                        kind=COMPLAINT,
                        outcome="upheld",
                        root_cause=RootCause.SERVICE_QUALITY,
                        priority=Priority.LOW,
                        category="property-home",
                    ),
                ),
            ),
        ),
        miss_rates=((FIRST, 0.08), (NEXT, 0.12), (RESOLUTION, 0.16)),
        satisfied=0.62,
        answering=0.85,
    ),
)

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏"
GIVEN_NAMES = (
    "磊",
    "芳",
    "伟",
    "娜",
    "杰",
    "敏",
    "强",
    "静",
    "涛",
    "丽",
    "建国",
    "红",
    "海燕",
    "立新",
    "雪",
    "帆",
    "晓明",
    "玉兰",
    "志刚",
    "佳",
)
# Sixty different names: enough customers that few come back within a survey's cool-down.
NAMES_ZH = tuple(SURNAMES[i % 30] + GIVEN_NAMES[(i * 7) % 20] for i in range(60))
NAMES_EN = (
    "Emma Clark",
    "David Lee",
    "Sophie Martin",
    "Tom Baker",
    "Anna Müller",
    "James Wong",
    "Priya Nair",
    "Lucas Silva",
    "Hannah Berg",
    "Omar Haddad",
)

# Survey scores: (CSAT, NPS range) when satisfied and when not.
SATISFIED_SCORES = (5, 5, 5, 4, 4)
UNSATISFIED_SCORES = (3, 3, 3, 2, 2, 1)
NPS_FOR = {5: (9, 10), 4: (7, 9), 3: (5, 8), 2: (3, 6), 1: (0, 4)}
RECOVERY_OUTCOME = "已电话回访客户，说明处理情况并致歉，客户表示理解。"
