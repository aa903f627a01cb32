"""Demo data of the standards: the customer promises of a utilities and property-services company, and the
staff code of conduct built from the three parts of the seed policy (服务规范制度), both published.

Chinese texts use full-width punctuation. A clause's `reference` names its source in the seed policy for
staff; the public page does not show the references of the code of conduct."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.db import transaction

from charter.accounts.models import User
from charter.standards.models import StandardClause, StandardDocument
from charter.standards.selectors import standard_version_draft_of, standard_version_latest_published
from charter.standards.services import (
    ClauseContent,
    standard_clause_add,
    standard_document_create,
    standard_version_draft_create,
    standard_version_draft_discard,
    standard_version_draft_update,
    standard_version_publish,
)

PROMISES_CODE = "customer-promises"
CONDUCT_CODE = "code-of-conduct"
# A fixed date in the past, so the demo's versions are in force whenever it is loaded.
DEMO_EFFECTIVE_AT = dt.datetime(2025, 1, 1, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))

COMPLAINT_ROUTE_ZH = (
    "拨打服务热线、在网站或应用程序的“投诉”页面提交，或到任一服务大厅当面反映；"
    "投诉受理后即给您受理编号，由被投诉人以外的人员处理。"
)
COMPLAINT_ROUTE_EN = (
    "Call the service hotline, use the Complaints page of the website or app, or tell us at any service "
    "hall; you get a reference number at once, and someone other than the person complained about handles "
    "it."
)


@dataclass(frozen=True)
class Promise:
    number: str
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    conditions_zh: str
    conditions_en: str
    measure_zh: str
    measure_en: str
    complaint_route_zh: str = COMPLAINT_ROUTE_ZH
    complaint_route_en: str = COMPLAINT_ROUTE_EN
    reference: str = "ISO 10001 / GB/T 19010"


@dataclass(frozen=True)
class Conduct:
    number: str
    category: str
    is_disciplinary: bool
    title_zh: str
    title_en: str
    text_zh: str
    text_en: str
    reference: str
    promises: tuple[str, ...] = field(default=())


PROMISES_PREAMBLE_ZH = (
    "本承诺依照 ISO 10001（GB/T 19010）客户满意行为规范制定。每一项承诺都写明适用条件、"
    "未兑现时的投诉途径，以及我们如何衡量是否做到。兑现情况按月在本网站公示。"
)
PROMISES_PREAMBLE_EN = (
    "These promises follow ISO 10001 (GB/T 19010), codes of conduct for customer satisfaction. Each one "
    "states when it applies, how to complain when it is not kept, and how we measure whether we keep it. We "
    "publish how well we kept them every month on this site."
)

PROMISES = [
    Promise(
        "1",
        "即时确认受理",
        "We acknowledge every request at once",
        "您通过任何渠道提出的咨询、报修、投诉或建议，我们都立即确认收到，并告知唯一的受理编号和查询方式。",
        "Whatever you ask, report or complain about, by any channel, we confirm receipt at once and give "
        "you a unique reference number and a way to follow it.",
        "适用于服务大厅、服务热线、网站、应用程序和电子邮件；电子渠道自动确认，电话和窗口当场告知编号，"
        "夜间和节假日提交的事项同样即时确认。",
        "Applies to service halls, the hotline, the website, the app and e-mail. Electronic channels "
        "confirm automatically; by phone or at a counter you get the number on the spot, nights and "
        "holidays included.",
        "电子渠道1分钟内发出确认的比例（目标不低于99%），按月统计并公示。",
        "Share of electronic submissions acknowledged within one minute (target: at least 99%), counted and "
        "published monthly.",
    ),
    Promise(
        "2",
        "在承诺时限内响应和办结",
        "We respond and resolve within the set times",
        "每项服务都公布首次响应和办结时限：抢修类2小时内到场，一般咨询1个工作日内首次答复，"
        "投诉1个工作日内与您联系。我们在时限内办理。",
        "Every service has a published time to first response and to resolution: emergency repairs on site "
        "within 2 hours, general questions answered within 1 working day, complaints contacted within 1 "
        "working day. We keep to them.",
        "时限以服务目录公布的为准，按工作日历计算；等待您补充材料的时间不计入。遇大面积停电、极端天气等"
        "不可抗力时，我们会公告调整后的时限。",
        "The times are those published in the service catalogue, counted in our business calendar; time "
        "spent waiting for information from you is not counted. In force majeure, such as a wide power cut "
        "or extreme weather, we announce the adjusted times.",
        "各项服务的时限达标率（按时首次响应、按时办结的比例），按月公示。",
        "SLA compliance per service (share of first responses and resolutions on time), published monthly.",
    ),
    Promise(
        "3",
        "全程告知进展",
        "We keep you informed",
        "事项办结前，我们在每个环节主动告知进展，至少每3个工作日更新一次；可能超出时限时，提前告诉您原因和新的时间。",
        "Until your matter is resolved we tell you of each step, at least every 3 working days, and if a "
        "deadline may be missed we tell you beforehand why and when to expect the result.",
        "通过您选择的联系方式告知；您也可以随时用受理编号查询进展。",
        "We use the contact channel you chose; you can also check progress at any time with your reference "
        "number.",
        "按时更新进展的比例；客户因未获告知而催问的事项占比。",
        "Share of updates given on time; share of cases in which the customer had to chase us for news.",
    ),
    Promise(
        "4",
        "说明决定及理由",
        "We explain our decisions with reasons",
        "对您的请求作出的每一个决定，尤其是不予办理或部分办理的，我们都以书面形式说明理由和依据，并告知您如何申诉。",
        "Every decision on your request, above all a refusal or a partial one, comes in writing with its "
        "reasons and basis, and tells you how to appeal.",
        "书面形式包括短信、电子邮件、信函或查询页面上的答复；涉及他人隐私或商业秘密的内容除外。",
        "In writing means by text message, e-mail, letter or on the tracking page; details that would "
        "disclose another person's privacy or trade secrets are left out.",
        "质检抽查中附理由答复的比例；申诉后改变原决定的比例。",
        "Share of replies with reasons in quality reviews; share of decisions changed on appeal.",
        reference="ISO 10002 / GB/T 19012",
    ),
    Promise(
        "5",
        "保护您的个人信息",
        "We protect your personal data",
        "我们只收集办理所需的个人信息，只用于告知您的目的，加密保存，未经您同意或法律规定不向任何人提供；"
        "您可以查阅、更正、导出或要求删除自己的信息。",
        "We collect only the personal data a service needs, use it only for the purpose we told you, keep "
        "it encrypted and give it to nobody without your consent or a legal basis. You may see, correct, "
        "export or have us erase your data.",
        "依照《个人信息保护法》；法律要求保存的记录在保存期满后删除或匿名化。",
        "Under the Personal Information Protection Law; records the law requires us to keep are erased or "
        "anonymised when that period ends.",
        "个人信息泄露事件数（目标为零）；查阅、更正、删除请求在15个工作日内办结的比例。",
        "Number of personal-data breaches (target: none); share of access, correction and erasure requests "
        "completed within 15 working days.",
        reference="PIPL / 《个人信息保护法》",
    ),
    Promise(
        "6",
        "公开收费标准",
        "We publish our fees",
        "所有收费项目和标准都在服务目录中公开；不收取公布标准以外的任何费用，有偿服务先报价、经您同意后再办理，并开具票据。",
        "Every fee and its amount is published in the service catalogue. We charge nothing beyond it; for "
        "paid work we quote first, go ahead only with your consent, and give you a receipt.",
        "政府定价或指导价项目按主管部门公布的标准执行；收费标准调整至少提前30日公告。",
        "Items priced or guided by the government follow the rates its departments publish; changes to fees "
        "are announced at least 30 days ahead.",
        "经核实的违规收费件数（目标为零）；收费类投诉数量，按月公示。",
        "Confirmed overcharges (target: none); number of complaints about fees, published monthly.",
    ),
    Promise(
        "7",
        "投诉有门、处理公正",
        "We make complaining easy and handle it fairly",
        "您可以通过任一渠道投诉。投诉由被投诉人以外的人员调查，10个工作日内给出附理由的答复；对结果不满意的，可以申诉，由其他人员复核。",
        "You can complain through any channel. Someone other than the person complained about investigates, "
        "and you get a reasoned answer within 10 working days; if you disagree you can appeal, and someone "
        "else reviews it.",
        "复杂投诉需要更长时间的，我们在期限届满前告知原因和预计时间。",
        "When a complex complaint needs longer, we tell you why and by when before the 10 days are up.",
        "投诉10个工作日内办结的比例；申诉率；投诉处理满意度。",
        "Share of complaints resolved within 10 working days; appeal rate; satisfaction with complaint "
        "handling.",
        reference="ISO 10002 / GB/T 19012",
    ),
    Promise(
        "8",
        "上门服务准时守约",
        "We keep appointments",
        "上门服务在约定的2小时时段内到达；可能迟到时，提前联系您重新约定。上门人员佩戴工作证并主动出示。",
        "We arrive within the agreed two-hour window; if we may be late, we call you beforehand to agree a "
        "new time. Our staff wear their ID badge and show it unasked.",
        "适用于维修、抄表、查验等预约上门服务；抢修按承诺2的时限执行。",
        "Applies to booked visits such as repairs, meter readings and inspections; emergency repairs follow "
        "the times of promise 2.",
        "预约准时到达率；因迟到或爽约引起的投诉数量。",
        "Share of visits on time; number of complaints about lateness or missed visits.",
    ),
    Promise(
        "9",
        "一次讲清、一次告知",
        "We tell you everything you need at once",
        "我们用通俗易懂的语言答复，办理需要的材料和步骤一次性告知，不让您因材料不全来回奔波。",
        "We answer in plain language and tell you at once every document and step a service needs, so that "
        "you do not have to come back for something we forgot to mention.",
        "因政策或规定变化需补充材料的，我们说明原因。",
        "When a change in policy or rules requires more documents, we explain why.",
        "因告知不全导致客户再次往返的比例；首次接触解决率。",
        "Share of repeat visits caused by incomplete information; first-contact resolution.",
    ),
    Promise(
        "10",
        "听取评价、持续改进",
        "We ask how it went and improve",
        "每件事项办结后，我们邀请您评价服务；低分评价由主管回访。满意度结果和据此作出的改进定期公开。",
        "After each matter is resolved we ask you to rate our service, and a supervisor calls back after a "
        "low rating. We publish the results and what we changed because of them.",
        "评价自愿，可匿名；不因评价结果区别对待任何客户。",
        "Rating is voluntary and may be anonymous; nobody is treated differently because of a rating.",
        "客户满意度（1-5分中4-5分的占比）和净推荐值，按月公示。",
        "Customer satisfaction (share of 4-5 on a 1-5 scale) and Net Promoter Score, published monthly.",
    ),
]

CONDUCT_PREAMBLE_ZH = (
    "为确保高质量、高效能以及优质服务的提供，维护良好的工作环境和客户关系，保护消费者权益，"
    "并为服务人员设定明确的行为准则，特制定本规范。第0章列出服务规范制度的组成部分；"
    "第1至6章是员工必须遵守的服务准则；第7章规定违规处理与纠正措施。"
    "本规范经公示并由员工确认后施行，所有员工须严格遵守，并定期接受培训和考核。"
)
CONDUCT_PREAMBLE_EN = (
    "This code is made to ensure high-quality, efficient service, to keep a good working environment and "
    "good relations with customers, to protect consumers' rights and to give service staff clear rules of "
    "conduct. Chapter 0 lists the parts of the service standards system; chapters 1 to 6 are the rules "
    "every member of staff follows; chapter 7 sets out how breaches are handled and corrected. The code "
    "applies once published and acknowledged by staff; everyone must comply, and is trained and assessed on "
    "it regularly."
)

PART1 = "服务规范制度（一）"
PART2 = "服务规范制度（二）"
PART3 = "服务规范制度（三）"
C = StandardClause.Category

CONDUCT = [
    Conduct(
        "0.1",
        C.GENERAL,
        False,
        "服务行为规范",
        "Service conduct norms",
        "规定服务人员需遵循的行为准则，包括待人接物的礼貌、诚实守信以及对个人隐私的尊重等。",
        "The rules staff follow: courtesy, honesty and keeping one's word, and respect for privacy.",
        f"{PART1} 1",
    ),
    Conduct(
        "0.2",
        C.GENERAL,
        False,
        "服务质量标准",
        "Service quality standards",
        "设定服务的性能指标，如服务速度、精确度以及专业能力，以达到预设的品质水平。",
        "Performance indicators such as speed, accuracy and professional competence, with target levels.",
        f"{PART1} 2",
        ("2",),
    ),
    Conduct(
        "0.3",
        C.GENERAL,
        False,
        "投诉管理机制",
        "Complaint management",
        "建立消费者投诉的接收和处理流程，保证对投诉的及时、公正响应。",
        "A process to receive and handle consumers' complaints, so each one gets a timely and fair response.",
        f"{PART1} 3",
        ("7",),
    ),
    Conduct(
        "0.4",
        C.GENERAL,
        False,
        "服务考核与激励制度",
        "Service assessment and incentives",
        "制定服务人员的绩效评估标准，并依据评估结果实施奖励或惩罚措施，以激发服务提升的动力。",
        "Criteria for evaluating staff performance, with rewards or penalties based on the results, to drive "
        "better service.",
        f"{PART1} 4",
    ),
    Conduct(
        "0.5",
        C.GENERAL,
        False,
        "服务培训与绩效改进",
        "Training and performance improvement",
        "为服务人员提供培训机会，提升专业技能，同时通过绩效管理促进服务质量的持续改进。",
        "Training that builds staff's skills, and performance management that drives continual improvement "
        "of service quality.",
        f"{PART1} 5",
    ),
    Conduct(
        "0.6",
        C.GENERAL,
        False,
        "服务信息公开",
        "Service information disclosure",
        "确保服务信息的准确、完整和透明，明确服务内容、费用标准及服务承诺，以增强客户知情权。",
        "Accurate, complete and transparent information on what is served, the fees and the service "
        "commitments, so customers know their rights.",
        f"{PART1} 6",
        ("6",),
    ),
    Conduct(
        "0.7",
        C.GENERAL,
        False,
        "数据安全与隐私保护",
        "Data security and privacy",
        "采取措施保护客户的个人信息和隐私，防止信息泄露或不当使用。",
        "Measures that protect customers' personal information and privacy against leaks and misuse.",
        f"{PART1} 7",
        ("5",),
    ),
    Conduct(
        "0.8",
        C.GENERAL,
        False,
        "客户满意度评估",
        "Customer satisfaction evaluation",
        "定期进行客户满意度调查，收集客户对服务的反馈，以便及时识别并解决服务中的不足。",
        "Regular satisfaction surveys and feedback, to find and fix shortcomings in service quickly.",
        f"{PART1} 8",
        ("10",),
    ),
    Conduct(
        "1.1",
        C.ATTITUDE,
        False,
        "积极进取",
        "A proactive spirit",
        "所有员工应以积极进取的精神面貌，致力于为客户提供卓越的服务。",
        "Every member of staff works with a proactive spirit to give customers excellent service.",
        f"{PART2} 1.1",
    ),
    Conduct(
        "1.2",
        C.ATTITUDE,
        True,
        "以礼待人",
        "Courtesy",
        "员工需以礼待人，确保客户感受到尊重与重视。",
        "Staff treat customers courteously, so that customers feel respected and valued.",
        f"{PART2} 1.2",
    ),
    Conduct(
        "1.3",
        C.IMAGE,
        True,
        "专业形象",
        "A professional image",
        "员工应保持专业形象，包括穿着整洁、仪容端正等。",
        "Staff keep a professional image: neat dress and a tidy appearance.",
        f"{PART2} 1.3",
    ),
    Conduct(
        "1.4",
        C.ATTITUDE,
        False,
        "友好热忱、主动援助",
        "Friendly, warm and helpful",
        "所有员工需以友好、专业和热忱的态度面对客户，主动提供援助和解答问题。",
        "Every member of staff meets customers in a friendly, professional and warm manner, and offers help "
        "and answers unasked.",
        f"{PART3} 一.1",
    ),
    Conduct(
        "1.5",
        C.IMAGE,
        True,
        "仪表与着装",
        "Appearance and dress code",
        "员工应保持整洁的仪表和符合公司形象的着装标准。",
        "Staff keep a tidy appearance and follow the company's dress code.",
        f"{PART3} 一.2",
    ),
    Conduct(
        "1.6",
        C.COMMUNICATION,
        True,
        "问候与尊称",
        "Greeting and form of address",
        "员工需向客户礼貌地问好，并适当地使用客户的尊称。",
        "Staff greet customers politely and use their proper form of address.",
        f"{PART3} 一.3",
    ),
    Conduct(
        "2.1",
        C.COMMUNICATION,
        False,
        "倾听与理解",
        "Listening and understanding",
        "员工需倾听并理解客户的需求和反馈，迅速解决疑问和问题。",
        "Staff listen to and understand customers' needs and feedback, and resolve their questions and "
        "problems quickly.",
        f"{PART2} 2.1",
        ("9",),
    ),
    Conduct(
        "2.2",
        C.COMMUNICATION,
        True,
        "清晰易懂",
        "Clear, plain language",
        "与客户交流时，应使用清晰易懂的语言，避免过度专业化的术语可能造成的误解。",
        "Staff speak and write to customers in clear, plain language and avoid jargon that can mislead.",
        f"{PART2} 2.2",
        ("9",),
    ),
    Conduct(
        "2.3",
        C.COMMUNICATION,
        True,
        "友好耐心、禁用不当言辞",
        "Patience; no improper words",
        "保持友好和耐心的沟通态度，禁止对客户表现出不耐烦或使用不当的言辞。",
        "Staff stay friendly and patient; showing impatience to a customer or using improper words is "
        "forbidden.",
        f"{PART2} 2.3",
    ),
    Conduct(
        "3.1",
        C.RESPONSE,
        True,
        "及时回应",
        "Prompt answers",
        "员工需及时回应客户的电话、电子邮件等咨询，确保沟通的及时性。",
        "Staff answer customers' phone calls, e-mails and other inquiries promptly.",
        f"{PART2} 3.1",
        ("1", "2"),
    ),
    Conduct(
        "3.2",
        C.RESPONSE,
        True,
        "按时限办理",
        "Within the set time",
        "必须在设定的时间框架内处理客户的请求或问题，展现高效的服务水平。",
        "Staff handle every customer request or problem within the set time frame.",
        f"{PART2} 3.2",
        ("2",),
    ),
    Conduct(
        "3.3",
        C.RESPONSE,
        False,
        "主动提供解决方案",
        "Offering solutions",
        "主动为客户提供解决方案，积极协助处理客户遇到的困难。",
        "Staff offer solutions unasked and help customers with the difficulties they meet.",
        f"{PART2} 3.3",
    ),
    Conduct(
        "3.4",
        C.QUALITY,
        True,
        "遵循标准流程",
        "Following the standard process",
        "员工应遵循标准化服务流程，确保服务过程的规范性和流程的清晰性。",
        "Staff follow the standard service process, so that service is orderly and its steps are clear.",
        f"{PART3} 二.1",
    ),
    Conduct(
        "3.5",
        C.RESPONSE,
        False,
        "合理安排工作",
        "Planning work",
        "员工应依据客户需求和公司规定，合理安排工作时间，提供及时、准确的服务。",
        "Staff plan their work by customers' needs and the company's rules, to serve on time and accurately.",
        f"{PART3} 二.2",
        ("8",),
    ),
    Conduct(
        "3.6",
        C.RESPONSE,
        True,
        "全程跟进、及时反馈",
        "Following through and keeping customers informed",
        "员工需全程监控服务进度，及时向客户反馈并解决客户的问题和需求。",
        "Staff follow the progress of each matter throughout and keep the customer informed until the "
        "problem is solved.",
        f"{PART3} 二.3",
        ("3",),
    ),
    Conduct(
        "4.1",
        C.QUALITY,
        True,
        "遵循服务标准",
        "Following the service standards",
        "员工应遵循公司设定的服务流程和标准，确保服务的一致性和高质量。",
        "Staff follow the company's service processes and standards, so that service is consistent and of "
        "high quality.",
        f"{PART2} 4.1",
    ),
    Conduct(
        "4.2",
        C.QUALITY,
        False,
        "关注满意度、及时改进",
        "Acting on satisfaction",
        "关注客户满意度，对任何潜在的改进点采取及时措施，以提升服务品质。",
        "Staff watch customer satisfaction and act promptly on anything that could be improved.",
        f"{PART2} 4.2",
        ("10",),
    ),
    Conduct(
        "4.3",
        C.QUALITY,
        False,
        "定期培训",
        "Regular training",
        "员工应定期参加培训，提升专业技能和知识，以满足客户不断变化的需求。",
        "Staff take part in regular training to build the skills and knowledge that customers' changing "
        "needs call for.",
        f"{PART2} 4.3",
    ),
    Conduct(
        "4.4",
        C.QUALITY,
        True,
        "符合质量要求",
        "Meeting quality requirements",
        "员工应确保提供的产品和服务符合公司的质量和规定要求。",
        "Staff make sure the products and services they provide meet the company's quality requirements and "
        "rules.",
        f"{PART3} 三.1",
    ),
    Conduct(
        "4.5",
        C.QUALITY,
        True,
        "准确介绍、不得误导",
        "Accurate descriptions; no misleading",
        "员工需准确、明确地向客户介绍产品和服务，避免误导客户。",
        "Staff describe products and services to customers accurately and clearly, and never mislead them.",
        f"{PART3} 三.2",
        ("4", "6"),
    ),
    Conduct(
        "4.6",
        C.QUALITY,
        True,
        "及时处理意见和投诉",
        "Handling complaints promptly",
        "员工应积极听取客户意见和建议，对客户的投诉和不满进行及时的处理和回应。",
        "Staff listen to customers' opinions and suggestions and handle and answer complaints and "
        "dissatisfaction promptly.",
        f"{PART3} 三.3",
        ("7",),
    ),
    Conduct(
        "5.1",
        C.CONFIDENTIALITY,
        True,
        "不得泄露客户机密",
        "No disclosure of confidential information",
        "保护客户机密信息是员工的基本职责，不得向未经授权的个人或实体透露。",
        "Protecting customers' confidential information is a basic duty: staff never disclose it to an "
        "unauthorised person or entity.",
        f"{PART2} 5.1",
        ("5",),
    ),
    Conduct(
        "5.2",
        C.CONFIDENTIALITY,
        True,
        "妥善管理客户数据",
        "Keeping customer data safe",
        "员工需妥善管理和保存客户数据，防止信息丢失或泄露。",
        "Staff manage and keep customer data with care, so that it is neither lost nor leaked.",
        f"{PART2} 5.2",
        ("5",),
    ),
    Conduct(
        "5.3",
        C.CONFIDENTIALITY,
        True,
        "遵守信息安全政策",
        "Following the information-security policy",
        "遵守公司的信息安全政策和程序，确保客户信息的保密性和安全。",
        "Staff follow the company's information-security policy and procedures, keeping customer information "
        "confidential and secure.",
        f"{PART2} 5.3",
        ("5",),
    ),
    Conduct(
        "5.4",
        C.CONFIDENTIALITY,
        True,
        "保护隐私和商业秘密",
        "Privacy and trade secrets",
        "员工需严格遵守公司的保密政策，保护客户的个人隐私和商业机密。",
        "Staff strictly follow the company's confidentiality policy and protect customers' privacy and trade "
        "secrets.",
        f"{PART3} 四.1",
        ("5",),
    ),
    Conduct(
        "5.5",
        C.CONFIDENTIALITY,
        True,
        "未经授权不得披露",
        "No disclosure without authorisation",
        "未经客户明确授权，员工不得泄露客户的个人信息和业务详情。",
        "Without the customer's explicit authorisation, staff never disclose his personal information or the "
        "details of his business.",
        f"{PART3} 四.2",
        ("5",),
    ),
    Conduct(
        "6.1",
        C.IMAGE,
        True,
        "佩戴工作证、环境整洁",
        "ID badge and a tidy workplace",
        "员工应佩戴公司提供的工作标识，并保持工作环境的整洁。",
        "Staff wear the company ID badge and keep their workplace tidy.",
        f"{PART3} 五.1",
        ("8",),
    ),
    Conduct(
        "6.2",
        C.IMAGE,
        True,
        "职业行为",
        "Professional behaviour",
        "员工应保持良好的职业行为，不得发表不当言论或在工作时间和场所进行私人活动。",
        "Staff behave professionally: no improper remarks, and no private activities during working hours "
        "or at the workplace.",
        f"{PART3} 五.2",
    ),
    Conduct(
        "7.1",
        C.DISCIPLINE,
        False,
        "违规处理",
        "Handling breaches",
        "对于违反服务准则的员工，公司将依据内部纪律采取相应措施，包括教育、警告、记过等。",
        "A member of staff who breaks these rules faces measures under the company's internal discipline: "
        "education, warning, demerit and so on.",
        f"{PART3} 六.1",
    ),
    Conduct(
        "7.2",
        C.DISCIPLINE,
        False,
        "从重处理",
        "More serious breaches",
        "对于影响客户利益和公司声誉的违规行为，将施以更严厉的处理。",
        "Breaches that harm customers' interests or the company's reputation are dealt with more severely.",
        # The seed's text is cut off in the middle of this clause; the sentence is completed here.
        f"{PART3} 六.2",
    ),
    Conduct(
        "7.3",
        C.DISCIPLINE,
        False,
        "正当程序",
        "Due process",
        "处理违规前，员工会收到书面通知，有权陈述和申辩，对处理决定可以申诉。处理只依据违规行为发生当日"
        "已公示施行的规范条款；不以罚款作为处理措施。",
        "Before any measure the member of staff is told in writing, may respond, and may appeal the "
        "decision. Measures rest only on the clauses published and in force on the day of the act; fines "
        "are not used.",
        "《劳动合同法》第四条 / Labour Contract Law art. 4",
    ),
    Conduct(
        "7.4",
        C.DISCIPLINE,
        False,
        "纠正与预防",
        "Correction and prevention",
        "每一项违规都分析原因；属于制度或流程问题的，制定纠正和预防措施，明确负责人和完成期限，并检查效果。",
        "Every breach is analysed for its cause; where the cause lies in a rule or a process, a corrective "
        "and preventive action is set with an owner and a due date, and its effect is checked.",
        f"{PART3} 六",
    ),
    Conduct(
        "7.5",
        C.DISCIPLINE,
        False,
        "遵守、培训与考核",
        "Compliance, training and assessment",
        "所有员工须严格遵守本规范，并定期接受培训和考核，以确保我们始终提供高标准的服务。",
        "Every member of staff must comply with this code and is trained and assessed on it regularly, so "
        "that our service always meets a high standard.",
        f"{PART2}",
    ),
]


def _publish_document(
    *,
    actor: User,
    document: StandardDocument,
    preamble_zh: str,
    preamble_en: str,
    contents: list[ClauseContent],
) -> None:
    if standard_version_latest_published(document=document) is not None:
        return
    draft = standard_version_draft_of(document=document)
    if draft is not None:
        # Left over from an interrupted attempt: start again from a clean draft.
        standard_version_draft_discard(actor=actor, version=draft)
    draft = standard_version_draft_create(actor=actor, document=document)
    standard_version_draft_update(
        actor=actor,
        version=draft,
        preamble_zh=preamble_zh,
        preamble_en=preamble_en,
        change_summary_zh="首次发布。",
        change_summary_en="First publication.",
    )
    for content in contents:
        standard_clause_add(actor=actor, version=draft, content=content)
    standard_version_publish(actor=actor, version=draft, effective_at=DEMO_EFFECTIVE_AT)


def _document(
    *,
    actor: User,
    code: str,
    kind: str,
    title_zh: str,
    title_en: str,
    description_zh: str = "",
    description_en: str = "",
) -> StandardDocument:
    existing = StandardDocument.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return standard_document_create(
        actor=actor,
        code=code,
        kind=kind,
        title_zh=title_zh,
        title_en=title_en,
        description_zh=description_zh,
        description_en=description_en,
    )


def demo_load(*, actor: User) -> None:
    """Create and publish the demo customer promises and code of conduct, unless they already exist.

    `actor` must hold standards.manage_standards (an administrator). Safe to run twice: a document that has
    a published version is left alone. Everything goes through the services and is audited.
    """
    with transaction.atomic():
        promises = _document(
            actor=actor,
            code=PROMISES_CODE,
            kind=StandardDocument.Kind.CUSTOMER_PROMISES,
            title_zh="客户服务承诺",
            title_en="Our promises to customers",
            description_zh="我们对每一位客户的承诺：适用条件、投诉途径和衡量方法。",
            description_en="What we promise every customer: when it applies, how to complain, how it is "
            "measured.",
        )
        _publish_document(
            actor=actor,
            document=promises,
            preamble_zh=PROMISES_PREAMBLE_ZH,
            preamble_en=PROMISES_PREAMBLE_EN,
            contents=[
                ClauseContent(
                    number=promise.number,
                    title_zh=promise.title_zh,
                    title_en=promise.title_en,
                    text_zh=promise.text_zh,
                    text_en=promise.text_en,
                    conditions_zh=promise.conditions_zh,
                    conditions_en=promise.conditions_en,
                    complaint_route_zh=promise.complaint_route_zh,
                    complaint_route_en=promise.complaint_route_en,
                    measure_zh=promise.measure_zh,
                    measure_en=promise.measure_en,
                    reference=promise.reference,
                )
                for promise in PROMISES
            ],
        )
        promise_version = standard_version_latest_published(document=promises)
        cited = {clause.number: clause for clause in StandardClause.objects.filter(version=promise_version)}
        conduct = _document(
            actor=actor,
            code=CONDUCT_CODE,
            kind=StandardDocument.Kind.CODE_OF_CONDUCT,
            title_zh="员工服务行为规范",
            title_en="Staff code of conduct",
            description_zh="服务规范制度：全体员工的服务准则、违规处理与纠正措施。",
            description_en="The service standards system: the rules every member of staff works by, and how "
            "breaches are handled and corrected.",
        )
        _publish_document(
            actor=actor,
            document=conduct,
            preamble_zh=CONDUCT_PREAMBLE_ZH,
            preamble_en=CONDUCT_PREAMBLE_EN,
            contents=[
                ClauseContent(
                    number=clause.number,
                    category=clause.category,
                    is_disciplinary=clause.is_disciplinary,
                    title_zh=clause.title_zh,
                    title_en=clause.title_en,
                    text_zh=clause.text_zh,
                    text_en=clause.text_en,
                    reference=clause.reference,
                    promises=tuple(cited[number] for number in clause.promises if number in cited),
                )
                for clause in CONDUCT
            ],
        )
