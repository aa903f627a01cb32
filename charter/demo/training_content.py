"""What the demo's courses say: lessons, questions and answers, in Chinese and English, written from the
service standards (../shared/seed/service-standards.*.md) and citing the clauses of the demo code of conduct
(`charter.standards.demo`). Data, not catalogue strings: the pages show the field of the reader's language.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LessonText:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str


@dataclass(frozen=True)
class QuestionText:
    """One question; `options` are (Chinese, English, correct) and empty for a short answer. For true or
    false, the two options are 对 / 错 and only the flag of each counts."""

    kind: str
    text_zh: str
    text_en: str
    explanation_zh: str
    explanation_en: str
    options: tuple[tuple[str, str, bool], ...] = ()
    points: int = 1


@dataclass(frozen=True)
class CategoryText:
    code: str
    clause: str
    name_zh: str
    name_en: str
    questions: tuple[QuestionText, ...] = field(default_factory=tuple)


# The code of conduct course -----------------------------------------------------------------------------

CONDUCT_SUMMARY_ZH = (
    "《员工服务行为规范》全员必修课程：服务态度与形象、沟通与响应、质量与保密三课，"
    "学完后参加在线测验（80 分合格，限时 10 分钟，可考 3 次），合格者获发有效期一年的培训证书。"
    "规范发布新版本时，本课程自动重新指派给全体员工（规范第 7.5 条：员工须定期接受培训和考核）。"
)
CONDUCT_SUMMARY_EN = (
    "The course every member of staff takes on the Staff code of conduct: attitude and image, communication "
    "and response, quality and confidentiality, then an online quiz (pass mark 80, 10 minutes, 3 attempts); "
    "passing earns a certificate valid for a year. A new version of the code assigns the course to all staff "
    "again (clause 7.5: staff are trained and assessed on the code regularly)."
)

CONDUCT_LESSONS = (
    LessonText(
        title_zh="第一课　服务态度与职业形象（第 1 部分）",
        title_en="Lesson 1. Attitude and professional image (part 1)",
        body_zh=(
            "<h3>为什么先讲态度</h3>"
            "<p>客户对一次服务的印象，往往在开口的头几秒就已形成。规范第 1 部分把服务态度放在首位："
            "以积极进取的精神面貌为客户提供优质服务（<strong>第 1.1 条</strong>），以礼待人，"
            "让客户感受到尊重与重视"
            "（<strong>第 1.2 条</strong>）。</p>"
            "<h3>要点</h3>"
            "<ul>"
            "<li><strong>问候与尊称（第 1.6 条）</strong>：接听电话或接待来访，先问好、报姓名或工号，"
            "并使用“先生”“女士”等尊称，不直呼其名，更不用“喂”“哎”。</li>"
            "<li><strong>友好热忱、主动援助（第 1.4 条）</strong>：客户还没开口求助时，先问一句"
            "“请问还有什么可以帮您？”结束前确认客户没有其他需要。</li>"
            "<li><strong>专业形象（第 1.3、1.5 条）</strong>：着装整洁、仪容端正；营业厅人员按规定着工装。"
            "</li>"
            "<li><strong>工作证与环境（第 6.1 条）</strong>：佩戴工作证，保持柜台和工位整洁。</li>"
            "<li><strong>职业行为（第 6.2 条）</strong>：工作时间和场所不发表不当言论，不做私事（如刷手机、"
            "闲聊）。</li>"
            "</ul>"
            "<h3>对照检查</h3>"
            "<p>质检评分表的“开场”一项就是按第 1.6 条打分的：没有问候或没有尊称，即使后面处理得再好，"
            "这一项也不得分。</p>"
        ),
        body_en=(
            "<h3>Why attitude comes first</h3>"
            "<p>A customer forms a view of the service in its first seconds. Part 1 of the code puts "
            "attitude first: "
            "a proactive spirit devoted to excellent service (<strong>clause 1.1</strong>), and courtesy so "
            "that "
            "customers feel respected (<strong>clause 1.2</strong>).</p>"
            "<h3>Key points</h3>"
            "<ul>"
            "<li><strong>Greeting and form of address (clause 1.6)</strong>: greet first, give your name or "
            "staff "
            "number, and address the customer as Mr or Ms, never by a bare name or a curt “hey”.</li>"
            "<li><strong>Friendly, warm and helpful (clause 1.4)</strong>: offer help before being asked, "
            "and "
            "before closing ask whether anything else is needed.</li>"
            "<li><strong>Professional image (clauses 1.3, 1.5)</strong>: neat dress and appearance; hall "
            "staff wear "
            "the uniform.</li>"
            "<li><strong>ID badge and workplace (clause 6.1)</strong>: wear the badge, keep the counter "
            "tidy.</li>"
            "<li><strong>Professional behaviour (clause 6.2)</strong>: no improper remarks and no private "
            "activities (phones, chatting) during working hours.</li>"
            "</ul>"
            "<h3>How it is checked</h3>"
            "<p>The QA scorecard's opening item is scored against clause 1.6: no greeting or no form of "
            "address, "
            "no points, however well the rest goes.</p>"
        ),
    ),
    LessonText(
        title_zh="第二课　沟通与响应（第 2、3 部分）",
        title_en="Lesson 2. Communication and response (parts 2 and 3)",
        body_zh=(
            "<h3>沟通准则</h3>"
            "<ol>"
            "<li><strong>倾听与理解（第 2.1 条）</strong>：先听完，再复述确认客户的诉求，不打断客户陈述。"
            "</li>"
            "<li><strong>清晰易懂（第 2.2 条）</strong>：用客户听得懂的话，必须用到“阶梯电价”“预付费”等术语"
            "时，"
            "顺带解释一句。</li>"
            "<li><strong>友好耐心、禁用不当言辞（第 2.3 条）</strong>：禁止表现出不耐烦，"
            "禁止使用推诿、指责或讽刺的用语。</li>"
            "</ol>"
            "<table><thead><tr><th>不当用语（禁用）</th><th>规范用语</th></tr></thead><tbody>"
            "<tr><td>这事不归我管。</td><td>这项业务由营业厅办理，我帮您查一下最近的网点和所需材料。"
            "</td></tr>"
            "<tr><td>我已经说过了。</td><td>我再为您说明一遍，如有不清楚的地方请随时打断我。</td></tr>"
            "<tr><td>你自己看短信吧。</td><td>短信里的内容我给您读一下重点。</td></tr>"
            "</tbody></table>"
            "<h3>服务响应</h3>"
            "<ul>"
            "<li><strong>及时回应（第 3.1 条）</strong>：电话、邮件、网上留言都要在承诺的时限内首次答复。"
            "</li>"
            "<li><strong>按时限办理（第 3.2 条）</strong>：每类业务都有办结时限，系统按工作日计时；"
            "预计超时的，提前告知客户原因和新的时间。</li>"
            "<li><strong>主动提供解决方案（第 3.3 条）</strong>、<strong>全程跟进、及时反馈（第 3.6 条）"
            "</strong>："
            "办理中有进展就告诉客户，直到问题解决。</li>"
            "</ul>"
        ),
        body_en=(
            "<h3>Communication</h3>"
            "<ol>"
            "<li><strong>Listening and understanding (clause 2.1)</strong>: hear the customer out, then "
            "repeat the "
            "request back to confirm it; do not interrupt.</li>"
            "<li><strong>Clear, plain language (clause 2.2)</strong>: use words the customer understands; "
            "when a "
            "term such as “tiered tariff” or “prepayment” is needed, explain it.</li>"
            "<li><strong>Patience; no improper words (clause 2.3)</strong>: never show impatience; never use "
            "words "
            "that pass the customer on, blame or mock.</li>"
            "</ol>"
            "<table><thead><tr><th>Forbidden</th><th>Say instead</th></tr></thead><tbody>"
            "<tr><td>That's not my job.</td><td>The service hall handles this; let me find the nearest one "
            "and "
            "what to bring.</td></tr>"
            "<tr><td>I already told you.</td><td>Let me go through it again; stop me whenever something is "
            "unclear.</td></tr>"
            "<tr><td>Read the text message yourself.</td><td>Let me read you the main points of the message."
            "</td></tr>"
            "</tbody></table>"
            "<h3>Response</h3>"
            "<ul>"
            "<li><strong>Prompt answers (clause 3.1)</strong>: calls, e-mails and web messages get a first "
            "answer "
            "within the promised time.</li>"
            "<li><strong>Within the set time (clause 3.2)</strong>: every service has a deadline counted in "
            "working "
            "days; when it will be missed, tell the customer why and the new date beforehand.</li>"
            "<li><strong>Offering solutions (clause 3.3)</strong> and <strong>following through (clause "
            "3.6)</strong>: "
            "tell the customer of each step until the problem is solved.</li>"
            "</ul>"
        ),
    ),
    LessonText(
        title_zh="第三课　服务质量与信息保密（第 4、5 部分）",
        title_en="Lesson 3. Quality and confidentiality (parts 4 and 5)",
        body_zh=(
            "<h3>服务质量</h3>"
            "<ul>"
            "<li><strong>遵循服务标准与流程（第 4.1、3.4 条）</strong>：按系统中的标准流程办理，不跳步、"
            "不自创做法。</li>"
            "<li><strong>准确介绍、不得误导（第 4.5 条）</strong>：收费标准、办理时限以公开的服务承诺为准，"
            "拿不准的先查再答，不随口承诺。</li>"
            "<li><strong>及时处理意见和投诉（第 4.6 条）</strong>：客户的不满当场登记为工单，"
            "不劝客户“算了”。</li>"
            "<li><strong>定期培训（第 4.3 条）</strong>：本课程和测验就是其中一环。</li>"
            "</ul>"
            "<h3>信息保密</h3>"
            "<p>保护客户机密信息是员工的基本职责（<strong>第 5.1 条</strong>），这是质检中的“一票否决”项。"
            "</p>"
            "<ul>"
            "<li>核实身份后才能告知户号、欠费、用电用水记录等信息；来电人不是户主本人的，按授权办理。</li>"
            "<li>未经客户明确授权，不得向任何人透露其个人信息和业务详情（<strong>第 5.5 条</strong>），"
            "包括客户的家属和物业。</li>"
            "<li>妥善保管客户数据，不拍照、不外传、不存到个人设备（<strong>第 5.2、5.3 条</strong>）。</li>"
            "</ul>"
            "<blockquote>规范第 7 部分：违反规范的，依内部纪律处理（教育、警告、记过等）；"
            "影响客户利益或公司声誉的，从重处理。</blockquote>"
        ),
        body_en=(
            "<h3>Quality</h3>"
            "<ul>"
            "<li><strong>Service standards and process (clauses 4.1, 3.4)</strong>: follow the standard "
            "process in "
            "the system; no skipped steps, no home-made shortcuts.</li>"
            "<li><strong>Accurate descriptions; no misleading (clause 4.5)</strong>: fees and deadlines are "
            "those of "
            "the published promises; check before answering, never promise offhand.</li>"
            "<li><strong>Handling complaints promptly (clause 4.6)</strong>: record the customer's "
            "dissatisfaction "
            "as a case at once; never talk the customer out of complaining.</li>"
            "<li><strong>Regular training (clause 4.3)</strong>: this course and its quiz are part of "
            "it.</li>"
            "</ul>"
            "<h3>Confidentiality</h3>"
            "<p>Protecting customers' confidential information is a basic duty (<strong>clause 5.1</strong>) "
            "and an "
            "auto-fail item in QA.</p>"
            "<ul>"
            "<li>Give account numbers, arrears or usage only after checking identity; a caller who is not "
            "the "
            "account holder needs the holder's authorisation.</li>"
            "<li>Never disclose a customer's personal information or business details without the customer's "
            "explicit authorisation (<strong>clause 5.5</strong>), not even to family or the property "
            "manager.</li>"
            "<li>Keep customer data safe: no photos, no forwarding, nothing on personal devices "
            "(<strong>clauses 5.2, 5.3</strong>).</li>"
            "</ul>"
            "<blockquote>Part 7 of the code: breaches are handled under internal discipline (education, "
            "warning, "
            "demerit and so on); those harming customers or the company's reputation more "
            "severely.</blockquote>"
        ),
    ),
)

SINGLE, MULTIPLE, TRUE_FALSE, SHORT = "single", "multiple", "true_false", "short"

CONDUCT_CATEGORIES = (
    CategoryText(
        code="greeting",
        clause="1.6",
        name_zh="问候与尊称（第 1.6 条）",
        name_en="Greeting and form of address (clause 1.6)",
        questions=(
            QuestionText(
                SINGLE,
                "接听客户来电时，第一句话应当是：",
                "Answering a customer's call, the first words should be:",
                "第 1.6 条：先问好并报姓名或工号，使用尊称。",
                "Clause 1.6: greet, give your name or number, use a form of address.",
                (
                    (
                        "“您好，供电服务热线，工号 1024 为您服务。”",
                        "“Good morning, power hotline, agent 1024.”",
                        True,
                    ),
                    ("“喂，什么事？”", "“Yes, what is it?”", False),
                    ("“说吧，我听着。”", "“Go on, I'm listening.”", False),
                ),
            ),
            QuestionText(
                TRUE_FALSE,
                "为显得亲切，可以直接称呼客户的全名，不必使用“先生”“女士”等尊称。",
                "To sound friendly, you may call customers by their full name without Mr or Ms.",
                "第 1.6 条要求适当使用客户的尊称。",
                "Clause 1.6 asks for a proper form of address.",
                (("对", "True", False), ("错", "False", True)),
            ),
            QuestionText(
                MULTIPLE,
                "以下哪些做法符合规范第 1 部分和第 6 部分的要求？",
                "Which of these meet parts 1 and 6 of the code?",
                "第 1.4 条主动援助，第 6.1 条佩戴工作证；第 6.2 条禁止工作时间处理私事。",
                "Clause 1.4 offers help, 6.1 the badge; 6.2 forbids private activities at work.",
                (
                    (
                        "结束通话前询问“请问还有什么可以帮您？”",
                        "Asking “Is there anything else?” before closing",
                        True,
                    ),
                    ("在柜台佩戴工作证", "Wearing the ID badge at the counter", True),
                    ("客户少时在柜台刷手机", "Using the phone at the counter when it is quiet", False),
                ),
            ),
        ),
    ),
    CategoryText(
        code="wording",
        clause="2.3",
        name_zh="友好耐心、禁用不当言辞（第 2.3 条）",
        name_en="Patience; no improper words (clause 2.3)",
        questions=(
            QuestionText(
                SINGLE,
                "客户要办的业务不属于热线，正确的答复是：",
                "The customer asks for something the hotline does not handle. The right answer is:",
                "第 2.3 条禁用推诿用语；首问负责，说明去向。",
                "Clause 2.3 forbids passing the customer on; say where and how.",
                (
                    (
                        "“这项业务在营业厅办理，我帮您查最近的网点和所需材料。”",
                        "“The service hall does this; let me find the nearest one and what to bring.”",
                        True,
                    ),
                    ("“这事不归我管。”", "“That's not my job.”", False),
                    ("“你去营业厅问吧。”", "“Go and ask at the hall.”", False),
                ),
            ),
            QuestionText(
                MULTIPLE,
                "以下哪些属于第 2.3 条禁止的不当言辞？",
                "Which of these are improper words under clause 2.3?",
                "推诿、指责、不耐烦的说法都在禁止之列。",
                "Passing on, blaming and impatience are all forbidden.",
                (
                    ("“我已经说过了。”", "“I already told you.”", True),
                    ("“这是你自己没看清楚。”", "“You didn't read it properly.”", True),
                    ("“我再为您说明一遍。”", "“Let me explain it again.”", False),
                ),
            ),
            QuestionText(
                TRUE_FALSE,
                "客户情绪激动、出言不逊时，员工可以用同样的语气回应。",
                "When a customer is angry and rude, staff may answer in the same tone.",
                "第 2.3 条：任何情况下都保持友好和耐心。",
                "Clause 2.3: stay friendly and patient whatever happens.",
                (("对", "True", False), ("错", "False", True)),
            ),
        ),
    ),
    CategoryText(
        code="timeliness",
        clause="3.2",
        name_zh="按时限办理（第 3.2 条）",
        name_en="Within the set time (clause 3.2)",
        questions=(
            QuestionText(
                SINGLE,
                "预计一件工单无法在承诺时限内办结时，应当：",
                "When a case will not be done within the promised time, you should:",
                "第 3.2、3.6 条：提前告知原因和新的时间，全程反馈。",
                "Clauses 3.2 and 3.6: say why and when, beforehand, and keep the customer informed.",
                (
                    (
                        "提前告知客户原因和预计办结时间",
                        "Tell the customer why and the new date beforehand",
                        True,
                    ),
                    ("等客户来催再解释", "Explain when the customer chases it", False),
                    ("直接关闭工单", "Close the case", False),
                ),
            ),
            QuestionText(
                TRUE_FALSE,
                "办结时限按工作日计算，节假日不计入。",
                "Deadlines are counted in working days; public holidays do not count.",
                "系统按工作日历计时，与服务承诺一致。",
                "The system counts on the working calendar, as the promises say.",
                (("对", "True", True), ("错", "False", False)),
            ),
        ),
    ),
    CategoryText(
        code="confidentiality",
        clause="5.1",
        name_zh="信息保密（第 5 部分）",
        name_en="Confidentiality (part 5)",
        questions=(
            QuestionText(
                SINGLE,
                "自称是户主儿子的来电人询问户主的欠费金额，应当：",
                "A caller saying he is the account holder's son asks for the arrears. You should:",
                "第 5.1、5.5 条：未经户主授权不得透露。",
                "Clauses 5.1 and 5.5: not without the holder's authorisation.",
                (
                    (
                        "请其提供户主授权或由户主本人来电后再告知",
                        "Ask for the holder's authorisation, or for the holder to call",
                        True,
                    ),
                    ("既然是家属，直接告知", "Tell him: he is family", False),
                    ("只告知大概金额", "Give a rough figure", False),
                ),
            ),
            QuestionText(
                MULTIPLE,
                "以下哪些做法违反信息保密规定？",
                "Which of these break the confidentiality rules?",
                "第 5.2、5.3 条：不拍照、不外传、不存个人设备。",
                "Clauses 5.2 and 5.3: no photos, no forwarding, nothing on personal devices.",
                (
                    ("用个人手机拍下客户资料备用", "Photographing customer data with a personal phone", True),
                    (
                        "把客户电话转发到私人微信群",
                        "Forwarding a customer's number to a private chat group",
                        True,
                    ),
                    ("核实身份后再告知户号", "Giving the account number after checking identity", False),
                ),
            ),
            QuestionText(
                TRUE_FALSE,
                "泄露客户机密信息是质检中的一票否决项。",
                "Disclosing a customer's confidential information fails the whole QA review.",
                "质检评分表第 5.1 条为一票否决项。",
                "Clause 5.1 is an auto-fail item of the QA scorecard.",
                (("对", "True", True), ("错", "False", False)),
            ),
        ),
    ),
    CategoryText(
        code="case-study",
        clause="2.3",
        name_zh="案例分析（简答）",
        name_en="Case study (short answer)",
        questions=(
            QuestionText(
                SHORT,
                "客户来电称本月电费比平时高出很多，情绪激动并出言不逊。请结合第 2.1、2.3、3.2 条，"
                "写出你的处理要点（至少三点）。",
                "A customer calls, angry and rude: this month's bill is far higher than usual. Using clauses "
                "2.1, "
                "2.3 and 3.2, write down how you handle it (at least three points).",
                "要点：保持耐心、不争执；听完并复述诉求；用通俗语言说明核查流程；登记工单并告知办结时限，"
                "按时回电。",
                "Points: stay patient, do not argue; hear out and repeat the request; explain the check in "
                "plain "
                "words; record a case, give the deadline and call back on time.",
                points=2,
            ),
        ),
    ),
)

SHORT_ANSWERS = {
    "li.agent": (
        "一、先安抚客户情绪，表示理解，不与客户争执，不说“我已经说过了”之类的话（第 2.3 条）；"
        "二、听完客户陈述，复述确认是哪一期账单、高出多少（第 2.1 条）；"
        "三、用通俗的话说明会核对抄表读数和阶梯电价；"
        "四、登记工单，告知 3 个工作日内回电答复，并按时回电（第 3.2 条）。"
    ),
    "chen.agent": ("保持耐心，不和客户吵；先把情况听清楚；登记工单，告诉客户几天内给答复，到时间主动回电。"),
    "zhao.agent": (
        "先向客户致歉并耐心倾听，确认账单期数；解释可能原因（阶梯电价、读数有误）；"
        "登记核查工单，承诺在时限内回复。"
    ),
}
GRADER_COMMENTS = {
    "li.agent": ("2", "要点齐全，引用条款准确。"),
    "chen.agent": ("1.5", "要点基本齐全，可补充“用通俗语言解释”一点（第 2.2 条）。"),
}

# Handling complaints (the course that grants the qualification) ---------------------------------------

COMPLAINTS_SUMMARY_ZH = (
    "投诉处理规范：受理、核实、答复与回访的要求。取得证书即获“投诉处理资格”，有效期一年；"
    "营业厅班组的投诉工单只分派给持有效资格的员工。到期前 30 天提醒并重新指派本课程。"
)
COMPLAINTS_SUMMARY_EN = (
    "Handling complaints: receiving, checking, answering and following up. The certificate grants the "
    "“Complaint handling” qualification for a year; the service hall team's complaints go only to staff who "
    "hold it. Thirty days before it expires the course is assigned again."
)

COMPLAINTS_LESSONS = (
    LessonText(
        title_zh="第一课　受理与登记（第 4.6、2.1 条）",
        title_en="Lesson 1. Receiving and recording a complaint (clauses 4.6, 2.1)",
        body_zh=(
            "<p>客户表达不满，就是投诉。规范第 4.6 条要求对意见和投诉及时处理和回应，"
            "因此<strong>当场登记为投诉工单</strong>，不劝客户“算了”，不因为“不归我管”而推走。</p>"
            "<ul>"
            "<li>听完客户陈述，复述确认诉求和期望的结果（第 2.1 条）。</li>"
            "<li>如实记录时间、地点、涉及的服务和员工，附上客户提供的照片或票据。</li>"
            "<li>告知客户工单号、办结时限和查询进度的方式（服务承诺“投诉途径”一栏）。</li>"
            "</ul>"
        ),
        body_en=(
            "<p>A customer's dissatisfaction is a complaint. Clause 4.6 asks for prompt handling, so "
            "<strong>record it as a complaint case at once</strong>: never talk the customer out of it, "
            "never pass "
            "it on as “not my job”.</p>"
            "<ul>"
            "<li>Hear the customer out and repeat the request and the outcome wanted (clause 2.1).</li>"
            "<li>Record the time, place, service and staff concerned, with the customer's photos or "
            "receipts.</li>"
            "<li>Give the case number, the deadline and how to follow progress (the promise's complaint "
            "route).</li>"
            "</ul>"
        ),
    ),
    LessonText(
        title_zh="第二课　核实、答复与回访（第 3.2、3.6、4.5 条）",
        title_en="Lesson 2. Checking, answering and following up (clauses 3.2, 3.6, 4.5)",
        body_zh=(
            "<ol>"
            "<li><strong>核实</strong>：调取录音、工单和现场记录，听取被投诉员工的说明；事实不清的不下结论。"
            "</li>"
            "<li><strong>答复</strong>：在时限内（第 3.2 条）答复处理结果和理由，信息准确、"
            "不误导（第 4.5 条）；"
            "投诉成立的，向客户致歉并说明整改措施。</li>"
            "<li><strong>回访</strong>：办结后回访客户是否满意，办理中有进展随时反馈（第 3.6 条）。</li>"
            "<li><strong>举一反三</strong>：同类投诉集中出现的，报主管分析根本原因，"
            "发起纠正措施（第 7.4 条）。</li>"
            "</ol>"
        ),
        body_en=(
            "<ol>"
            "<li><strong>Check</strong>: recordings, the case and site records, the account of the staff "
            "member "
            "concerned; no conclusion while the facts are unclear.</li>"
            "<li><strong>Answer</strong> within the deadline (clause 3.2) with the outcome and the reasons, "
            "accurately (clause 4.5); when the complaint is upheld, apologise and say what will change.</li>"
            "<li><strong>Follow up</strong>: ask whether the customer is satisfied; report progress on the "
            "way "
            "(clause 3.6).</li>"
            "<li><strong>Learn</strong>: a cluster of similar complaints goes to the supervisor for its root "
            "cause "
            "and a corrective action (clause 7.4).</li>"
            "</ol>"
        ),
    ),
)

# The remedial course on clause 2.3 ---------------------------------------------------------------------

REMEDIAL_SUMMARY_ZH = (
    "针对第 2.3 条（友好耐心、禁用不当言辞）的补训课程：质检或违规处理发现员工在该条款上失分时自动指派，"
    "14 天内学完。"
)
REMEDIAL_SUMMARY_EN = (
    "Remedial training on clause 2.3 (patience; no improper words): assigned automatically when a QA review "
    "or "
    "a violation finds a member of staff fell short on it; to be completed within 14 days."
)

REMEDIAL_LESSONS = (
    LessonText(
        title_zh="推诿用语与首问负责（第 2.3 条）",
        title_en="Passing customers on, and owning the first contact (clause 2.3)",
        body_zh=(
            "<p>“这事不归我管”“你去问别人吧”是投诉中最常见的推诿用语。第 2.3 条禁止使用不当言辞，"
            "而首问负责的做法是：<strong>不归我办，也由我说清楚去哪里办、带什么、怎么办</strong>。</p>"
            "<h3>三步替换</h3>"
            "<ol>"
            "<li>先认可：“您的问题我明白了。”</li>"
            "<li>说去向：“这项业务由营业厅办理，离您最近的是……”</li>"
            "<li>给帮助：“所需材料我用短信发给您，有问题随时打这个电话找我。”</li>"
            "</ol>"
            "<p>练习：把你最近一次被质检扣分的答复，按上面三步重写一遍，交给主管点评。</p>"
        ),
        body_en=(
            "<p>“That's not my job” and “ask someone else” are the commonest words complained of. Clause 2.3 "
            "forbids them; owning the first contact means: <strong>even when it is not mine to do, I say "
            "where, "
            "with what and how</strong>.</p>"
            "<h3>Three steps instead</h3>"
            "<ol>"
            "<li>Acknowledge: “I understand the problem.”</li>"
            "<li>Say where: “The service hall handles this; the nearest one is …”</li>"
            "<li>Help: “I'll text you what to bring; call me on this number with any question.”</li>"
            "</ol>"
            "<p>Exercise: rewrite the reply your last QA review marked down in these three steps and give it "
            "to "
            "your supervisor.</p>"
        ),
    ),
    LessonText(
        title_zh="客户情绪激动时如何保持耐心（第 2.3、2.1 条）",
        title_en="Staying patient with an angry customer (clauses 2.3, 2.1)",
        body_zh=(
            "<ul>"
            "<li>不打断，让客户说完；用“您说的情况我记下了”表示在听（第 2.1 条）。</li>"
            "<li>不辩解、不反问，不说“我已经说过了”“这是规定”。</li>"
            "<li>客户辱骂时，平静提醒一次；仍无法沟通的，按流程转主管，不挂断、不对骂。</li>"
            "</ul>"
        ),
        body_en=(
            "<ul>"
            "<li>Do not interrupt; show you listen (“I have noted what you said”, clause 2.1).</li>"
            "<li>No arguing back, no “I already told you”, no “those are the rules”.</li>"
            "<li>When the customer insults you, calmly say so once; if it goes on, hand over to the "
            "supervisor as "
            "the process says: never hang up, never answer in kind.</li>"
            "</ul>"
        ),
    ),
)

# The remedial course on clause 5.1 (the scorecard's auto-fail criterion) --------------------------------

CONFIDENTIAL_SUMMARY_ZH = (
    "针对第 5.1 条（保护客户机密信息，不得向未经授权的个人或实体透露）的补训课程：质检评分表中该条为"
    "一票否决项，质检判定不合格时自动指派，14 天内学完。"
)
CONFIDENTIAL_SUMMARY_EN = (
    "Remedial training on clause 5.1 (customers' confidential information is never disclosed to an "
    "unauthorised person or entity): an auto-fail item of the QA scorecard, assigned automatically when a "
    "QA review fails it; to be completed within 14 days."
)

CONFIDENTIAL_LESSONS = (
    LessonText(
        title_zh="客户机密信息不得向未经授权者透露（第 5.1 条）",
        title_en="Never disclosing confidential information to the unauthorised (clause 5.1)",
        body_zh=(
            "<blockquote>第 5.1 条：保护客户机密信息是员工的基本职责，不得向未经授权的个人或实体透露。"
            "</blockquote>"
            "<p>户号、欠费金额、用水用电记录、联系电话和地址都是客户机密信息。来电人自称家属、租户、"
            "物业或“邻居帮忙问”，都不等于<strong>得到授权</strong>。</p>"
            "<p>质检评分表将第 5.1 条列为<strong>一票否决</strong>项：只要透露一次，整张评分表按不合格计。"
            "</p>"
        ),
        body_en=(
            "<blockquote>Clause 5.1: protecting customers' confidential information is a basic duty: staff "
            "never disclose it to an unauthorised person or entity.</blockquote>"
            "<p>Account numbers, arrears, usage records, phone numbers and addresses are all confidential. "
            "A caller who says he is family, a tenant, the property manager or “asking for a neighbour” is "
            "not thereby <strong>authorised</strong>.</p>"
            "<p>The QA scorecard makes clause 5.1 an <strong>auto-fail</strong> item: one disclosure fails "
            "the whole review.</p>"
        ),
    ),
    LessonText(
        title_zh="先核实、再答复（第 5.1 条）",
        title_en="Check first, then answer (clause 5.1)",
        body_zh=(
            "<ol>"
            "<li>先核实身份：户主姓名、户号和预留手机号后四位，三项相符才谈账户信息。</li>"
            "<li>不是户主本人的，请其提供户主授权，或请户主本人来电、到营业厅办理。</li>"
            "<li>拿不准时只说办理方式，不说具体信息：“为保护户主信息，我不能在电话里告诉您金额，"
            "您可以……”。</li>"
            "</ol>"
            "<p>核实在先、授权在先，才算守住了第 5.1 条。</p>"
        ),
        body_en=(
            "<ol>"
            "<li>Check identity first: the holder's name, the account number and the last four digits of "
            "the registered phone; only when all three match, talk about the account.</li>"
            "<li>A caller who is not the holder brings the holder's authorisation, or the holder calls or "
            "comes to a service hall himself.</li>"
            "<li>When unsure, say how, never what: “To protect the account holder, I cannot give the amount "
            "on the phone; you can …”.</li>"
            "</ol>"
            "<p>Identity checked and authorisation seen first: only then is clause 5.1 kept.</p>"
        ),
    ),
)

# Sun's comment on the auto-fail criterion of Li's second review.
CONFIDENTIAL_REVIEW_COMMENT = (
    "来电人自称租户，坐席未核实身份即告知了户主的欠费金额和预留手机号，违反第 5.1 条（一票否决）。"
)
CONFIDENTIAL_REVIEW_SUMMARY = "未经核实向非户主透露客户机密信息，按一票否决判定不合格，已指派补训。"
