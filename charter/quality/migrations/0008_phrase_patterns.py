"""Patterns among the shipped reply-check rules: each catches a kind of improper or impatient wording (pushing
the customer off to someone else, refusing without a reason or an alternative, blaming the customer,
impatience, dismissal, sarcasm) rather than one phrasing, so that new ways of saying the same thing are caught.

A phrase with square brackets or a * is a pattern (charter/quality/text.py): [a|b] is one of the words, an
empty choice makes it optional, * is up to a few words of the same sentence and never a negation. An exception
starting with + excuses the rule wherever the reply contains it: an agent who names another department but
keeps the case ("我已帮您转给燃气公司并跟进") is not pushing the customer off. Text the reply quotes (“…”) is
the customer's, and is not checked.

All cite the check's own clause (2.3 of the shipped code of conduct). Rules an administrator has already added
are left as they are.
"""

from django.db import migrations

# Exceptions shared by several rules (one per line, as administrators write them on the desk).
ZH_OWNERSHIP = "\n".join(
    (
        "+[帮 你|为 你|替 你|给 你] * [转|联系|报|反映|登记|申请|跟进|协调|预约|安排|问|查|处理|办|催|约]",
        "+我 * [跟进|负责 到底|联系 了|协调|转交|盯|督促|催办|会 尽快|会 在|会 第一 时间]",
        "+你 可以 * [联系|拨打|致电|咨询|前往|到]",
        "+[不用|不需要|不必|无需|用不着] * [找|去|跑|问|打]",
    )
)
ZH_REASON = "\n".join(
    (
        "+[因为|由于|原因 是|这 是 为了|根据|按照|依照]",
        "+[可以|建议|不过|但是|但 如果|您 看|另外|或者]",
    )
)
EN_OWNERSHIP = "\n".join(
    (
        "+i [have|will|can|be|would] * [pass|send|report|contact|call|arrange|book|chase|forward|refer|raise"
        "|escalate|follow|email|copy|transfer|put you through|set up|look into|take care]",
        "+[no need|don't need|do not need|you won't need] to [contact|call|go|speak|ask]",
        "+on your behalf",
    )
)
EN_REASON = "\n".join(
    (
        "+[because|as the|since|due to|so that|to keep|to protect|to limit]",
        "+[but|however|instead|what i can do|you can|i can|alternatively|if you would like]",
    )
)

# Acronyms every customer knows, which need no explanation.
ACRONYMS_KNOWN = "\n".join(
    "ID PIN ATM SMS OK UK USA EU PDF TV AM PM VAT NHS GP FAQ QR USB IT HR CEO DIY ASAP PS BBC WiFi CCTV MP "
    "A4 A3 MOT VIP PPI GPS URL CV IVF ICU A&E UTC GMT BST PO DVD CD PC".split()
)

# (language, category, pattern, exceptions)
RULES = [
    # 推诿: sending the customer off to someone else, or saying it is not one's business.
    (
        "zh-hans",
        "improper",
        "你 自己 [去|找|问|查|看|想|解决|处理|搞定|弄|联系|协商|搜|上网|打电话|打听|琢磨|摸索]",
        "[不用|不需要|不必|无需|用不着|不要] * 你 自己\n" + ZH_OWNERSHIP,
    ),
    (
        "zh-hans",
        "improper",
        "自己 [去|上网|搜|查|想办法|解决|琢磨|摸索|看着办|协商解决|打听]",
        "[我|我 自己|可以|也 可以|能|方便|愿意]  * 自己\n[不用|不需要|不必|无需|用不着|不要] * 自己\n"
        + ZH_OWNERSHIP,
    ),
    (
        "zh-hans",
        "improper",
        "你 [去|] 找 * [去|吧|啊|呗]",
        "[不用|不需要|不必|无需|用不着] * 找\n" + ZH_OWNERSHIP,
    ),
    (
        "zh-hans",
        "improper",
        "找 * 去 [吧|啊|呗|,|.|!]",
        "我 [去|来|帮 你|给 你|] 找 * 去\n[不用|不需要|不必|无需|用不着] * 找 * 去\n" + ZH_OWNERSHIP,
    ),
    ("zh-hans", "improper", "你 自己 的 [问题|责任|错|事]", "不 是 你 自己 的"),
    (
        "zh-hans",
        "improper",
        "你 [去|] [问|找] * [公司|银行|物业|部门|单位|医院|窗口|领导|经理|热线|平台]",
        ZH_OWNERSHIP,
    ),
    (
        "zh-hans",
        "improper",
        "[找|问|去] [别的|其他|其它|别] [部门|人|单位|窗口|地方|同事|机构|医院|客服]",
        ZH_OWNERSHIP,
    ),
    ("zh-hans", "improper", "不归 * 管", ZH_OWNERSHIP),
    (
        "zh-hans",
        "improper",
        "[不归|不属于|不是|不在|超出|超过] * 我 * [管|负责|的事|的 责任|范围|业务|职责|管辖|权限|能 决定]",
        "不是 * 我 * 的 问题\n" + ZH_OWNERSHIP,
    ),
    ("zh-hans", "improper", "[跟|和|与] * 我 * [无关|没 关系|没 * 关系|不 相干|不 搭界]", ZH_OWNERSHIP),
    (
        "zh-hans",
        "improper",
        "[跟|和|与] * [公司|单位|平台|部门|银行|医院|物业|这边] * [无关|没 关系|没 * 关系|不 相干]",
        ZH_OWNERSHIP,
    ),
    ("zh-hans", "improper", "是 * [那边|他们|人家] * 的 [事|问题|责任]", ZH_OWNERSHIP),
    (
        "zh-hans",
        "improper",
        "我 * [管 不着|管不了|不管|做 不了 主|说了 不算|说 了 不算|没 权力]",
        ZH_OWNERSHIP,
    ),
    ("zh-hans", "improper", "[物业|公司|我|银行|医院] [管 不着|管不了]", ZH_OWNERSHIP),
    ("zh-hans", "improper", "[一概|什么 都|啥 都|全 都] 不 [知道|清楚|管|懂]", ""),
    ("zh-hans", "improper", "[找|问|跟|冲] * 我 * [有 什么 用|没 用|也 没用|干 什么]", ""),
    # 生硬拒绝: a refusal with neither a reason nor an alternative.
    (
        "zh-hans",
        "improper",
        "[办|退|做|改|修|处理|解决|弄|补|换|查] 不了",
        "我 暂时\n" + ZH_REASON + "\n" + ZH_OWNERSHIP,
    ),
    (
        "zh-hans",
        "improper",
        "[无法|不能|不予|没法] [办理|处理|受理|退|解决|满足]",
        ZH_REASON + "\n" + ZH_OWNERSHIP,
    ),
    (
        "zh-hans",
        "improper",
        "[就 这样|就 这么 着|就 这么 回事|没得 商量|没 商量|别 想 了|死 了 这 条 心]",
        ZH_REASON,
    ),
    ("zh-hans", "improper", "规定 就是 规定", ""),
    ("zh-hans", "improper", "[等 着 吧|等着 吧|回去 等 着|慢慢 等 吧]", ""),
    ("zh-hans", "improper", "下次 [早 点|早点|早 些] [来|打|办]", ZH_REASON),
    # 指责: blaming the customer.
    (
        "zh-hans",
        "improper",
        "[谁 让|谁 叫|怪] [你|你 自己]",
        "不 怪 你\n[不能|不该|不应该] 怪 你\n怪 你 [久 等|担心]",
    ),
    (
        "zh-hans",
        "improper",
        "[是|都 是|因为|还 不 是] 你 自己 [的|没|不|弄|搞|填|转|输|造成]",
        "不 是 你 自己",
    ),
    ("zh-hans", "improper", "你 [自己|] [没|不] [看 清楚|注意|仔细|按时|早点|好好|听|看]", ZH_OWNERSHIP),
    ("zh-hans", "improper", "自己 [承担|负责] 后果", ""),
    ("zh-hans", "improper", "[自作自受|活该]", ""),
    ("zh-hans", "improper", "[后果|损失|责任] * 自己 [承担|负责|负]", ""),
    # 不耐烦: telling the customer to stop, complaining of repeating oneself, hurrying.
    (
        "zh-hans",
        "impatient",
        "[别|不要|甭|少] [再|老|一直|总|总是|反复|老是|] [催|打|问|烦|吵|闹|打电话|打过来|打来|缠]",
        "",
    ),
    (
        "zh-hans",
        "impatient",
        "[说|讲|解释|告诉|回复|回答|强调] [过|了] [多少|好几|几|很多|无数|两|三|四|五|十几|N] [遍|次|回]",
        "",
    ),
    ("zh-hans", "impatient", "[说|讲|解释|告诉|回复|强调] * [很多|好几|多少|无数|几十] [遍|次|回]", ""),
    ("zh-hans", "impatient", "[还要|还得|要] 我 [再|] [说|讲|解释|重复] [几|多少|一] [遍|次]", ""),
    ("zh-hans", "impatient", "[听|看] 不 [懂|明白|清楚|见] * [吗|么|啊|呢]", ""),
    ("zh-hans", "impatient", "怎么 [这么|那么] [啰嗦|多事|麻烦|笨|不讲理|难缠|烦人|事多|磨叽]", ""),
    ("zh-hans", "impatient", "你 [这 人|这个 人|这种 人]", ""),
    ("zh-hans", "impatient", "你 到底 [想|要] [怎样|怎么样|干 什么|干 嘛|办 不 办]", ""),
    (
        "zh-hans",
        "impatient",
        "[行了|好了|得了|够了] [,|] [别 说|知道 了|挂 了|别 吵|别 问|行了|好了|就 这样]",
        "",
    ),
    ("zh-hans", "impatient", "别 [说|讲|吵|嚷|闹|啰嗦] 了", ""),
    ("zh-hans", "impatient", "我 * [正 忙|在 忙|很 忙|事 要 忙|忙 着 呢|忙 不 过来]", ""),
    ("zh-hans", "impatient", "[长话短说|说 重点|快 点 说|快说|直接 说|快点 说]", "[请|麻烦] * 说 重点"),
    ("zh-hans", "impatient", "[翻来覆去|没完 没了|来来回回]", ""),
    ("zh-hans", "impatient", "再 [打|问|来|催] * 也 [是|没用|一样]", ""),
    (
        "zh-hans",
        "impatient",
        "[墙 上|门口|牌子|公告|网上|上面|说明] * 写 [着|得] * [呢|吗|啊|明明白白|清清楚楚]",
        "",
    ),
    # 怠慢、讽刺: dismissing the customer, sarcasm, condescension.
    ("zh-hans", "improper", "爱 [办|信|买|来|要|去|交|弄|修|签|填|看|找|投诉|等|用|听|报|排] 不", ""),
    ("zh-hans", "improper", "[随便 你|随 你 便|你 随意|无所谓]", ""),
    ("zh-hans", "improper", "[尽管|随便|只管|有 本事|想] [去|] 投诉", ""),
    ("zh-hans", "improper", "[不 就|不就是] * [嘛|吗|而已|罢了]", ""),
    ("zh-hans", "improper", "至于 * [吗|嘛|么]", ""),
    ("zh-hans", "improper", "[没 什么 好|有 什么 好|有 什么 可] [查|问|说|解释|看|投诉|退|争|吵|催]", ""),
    ("zh-hans", "improper", "[没人 拦 着|没人 求 你|不 稀罕|凭 什么]", ""),
    ("zh-hans", "improper", "[小孩子|三岁 小孩|小孩|傻子|谁] 都 [知道|懂|会]", ""),
    ("zh-hans", "improper", "[这 都|这么 简单|这 也] 不 [懂|会|知道]", ""),
    ("zh-hans", "improper", "[太 简单|这么 简单|那么 简单] [了|的]", "[其实|操作] * 简单"),
    ("zh-hans", "improper", "哪 [有|能] 不 [排队|等|花钱|交钱|收费]", ""),
    ("zh-hans", "improper", "嫌 * [就|可以 不|别|去|你]", ""),
    ("zh-hans", "improper", "[就|那 就] 去 [别家|别处|别的 地方|其他 地方|别的 医院|别的 银行]", ""),
    ("zh-hans", "improper", "[呵呵|真 有 你 的|你 可 真|你 倒 是 会|你 可 真 会|你 真 行]", ""),
    ("zh-hans", "improper", "你 [问 我|找 我] * 我 [问|找] 谁", ""),
    ("zh-hans", "improper", "你 [怎么|为什么|干 嘛|干嘛] [不|没] [早|提前|自己|看|问|说|带|注意]", ""),
    ("zh-hans", "improper", "[这|那|这 个] 还 用 [问|说|教]", ""),
    ("zh-hans", "improper", "你 [不会|不能] 自己 * [吗|么|啊|呀]", ""),
    ("zh-hans", "improper", "[没 长 眼|没长眼|长 眼睛|你 是 第一 天|你 是 第一 次]", ""),
    ("zh-hans", "improper", "[排队 去|到 后面 排 着|后面 排队 去|一边 等 着|一边 去]", ""),
    (
        "zh-hans",
        "improper",
        "我 [只是|就是|不过 是|也 就是|也 只是] * [打工|客服|接线员|办事 的|小 职员|临时工|新来 的|跑腿]",
        "",
    ),
    ("zh-hans", "improper", "我 也 [是 打工 的|很 累|很 无奈|没 法子]", ""),
    ("zh-hans", "improper", "[叫|喊] 保安", ""),
    ("zh-hans", "improper", "[再|要是 再|你 再] * [就 挂|我 就 挂|就 报警]", ""),
    (
        "zh-hans",
        "improper",
        "[再说 吧|到时候 再说|看 情况 吧|等等 看 吧|不 好说|说不准|说 不准|没准]",
        ZH_OWNERSHIP + "\n+我 * [会|一旦|一有]\n+[一旦|一有|确定 后]",
    ),
    ("zh-hans", "improper", "反正 [我|你|就|也|规定|结果]", ""),
    ("zh-hans", "improper", "[爱|想] [怎么|咋] * 就 [怎么|咋]", ""),
    ("zh-hans", "improper", "没法 [弄|办|搞|处理|解决|管]", ZH_REASON + "\n" + ZH_OWNERSHIP),
    ("zh-hans", "improper", "有 [意见|不满] [就|你|] * [找|去 找|投诉]", ""),
    ("zh-hans", "improper", "[这么 点|这么 小|这 点|这么 简单] [的|] [事|问题|钱|小事]", ""),
    ("zh-hans", "improper", "[不是 我 说 你|说 你 什么 好|真 服 了 你|服 了 你|还 好意思]", ""),
    ("zh-hans", "improper", "早 [说|讲|来|办] [啊|呀|嘛|不 就]", ""),
    ("zh-hans", "impatient", "[搞|弄|想|问] [清楚|明白|好] [再|了 再] [来|打|问|说]", ""),
    ("zh-hans", "improper", "又 不是", ""),
    ("zh-hans", "improper", "难道 * [不|没] * [吗|么]", ""),
    ("zh-hans", "improper", "我 [哪|哪儿|咋] [知道|晓得|清楚]", ""),
    ("zh-hans", "improper", "关 [你|我] * 事", "[无关|不关] 你 * 事"),
    ("zh-hans", "improper", "[少 来|少 跟 我|别 跟 我] [这 套|来 这 套|讲 条件|废话|扯|闹]", ""),
    ("zh-hans", "impatient", "还 [想|要] [怎样|怎么样|怎么 样]", ""),
    ("zh-hans", "impatient", "[事|事儿] [真|太|这么|那么|怎么 这么] 多", ""),
    ("zh-hans", "improper", "我 [能|又 能|还 能] [怎么 办|咋 办|有 什么 办法]", ZH_OWNERSHIP),
    ("zh-hans", "improper", "[流程|程序|制度|政策|规矩] 就是 [这样|这么 规定|如此|这么 走]", ""),
    ("zh-hans", "improper", "不可能 [的|退|给|办|改|赔|免]", ZH_REASON + "\n" + ZH_OWNERSHIP),
    ("zh-hans", "improper", "[你 懂 什么|你 懂 啥|不 懂 就 别|这 是 常识|这 都 是 常识|懒得]", ""),
    ("zh-hans", "improper", "[明天|改天|过 两 天|过 几 天] 再 [来|打|说]", ZH_REASON + "\n" + ZH_OWNERSHIP),
    ("zh-hans", "improper", "没法 [回答|答复]", ZH_REASON + "\n" + ZH_OWNERSHIP),
    ("zh-hans", "impatient", "[听 我 说 完|别 打断 我|让 我 说 完]", ""),
    ("zh-hans", "impatient", "[快 点|赶紧|麻利 点] [说|决定|选|填|办]", "+[我 会|我 帮 你|我 为 你]"),
    ("zh-hans", "impatient", "你 到底", ""),
    ("zh-hans", "impatient", "[听 清楚|听 明白|听 懂|记 住] [没|了 没|了 吗|没有]", ""),
    # Pushing off, in English.
    (
        "en",
        "improper",
        "[you will|you would|you] [have|need] to [take * up|speak to|talk to|ask|contact|call|go to|check with"
        "|try|sort * out] * [else|someone|somebody|another|elsewhere|company|council|bank|landlord|provider"
        "|supplier|department|courier|seller|insurer|them]",
        EN_OWNERSHIP,
    ),
    (
        "en",
        "improper",
        "[try|ask|call|contact|speak to|talk to|go to|see|go and ask|go and try] * [somewhere|someone|somebody"
        "|elsewhere|another department|another branch] [else|]",
        EN_OWNERSHIP,
    ),
    ("en", "improper", "[go|go and] [ask|try|see|check] [at|with|the|your]", EN_OWNERSHIP),
    ("en", "improper", "[question|matter|issue|one|problem] for [your|the] * [, |] not me", ""),
    ("en", "improper", ", not me [.|!|;]", ""),
    (
        "en",
        "improper",
        "[come back|call back|try again|ring back] [tomorrow|later|another day|next week|some other time]",
        EN_REASON + "\n" + EN_OWNERSHIP,
    ),
    (
        "en",
        "improper",
        "[read|check|look at] the * [before|first] [calling|contacting|asking|emailing|you call|you ask]",
        "",
    ),
    (
        "en",
        "improper",
        "not my [problem|job|department|concern|responsibility|business|fault|area|remit|issue|call|lookout]",
        "",
    ),
    ("en", "improper", "[nothing|not anything] to do with [me|my]", ""),
    (
        "en",
        "improper",
        "i [do not|can not|will not] [deal with|handle|cover|look after|do] [that|this|those|it|them] [here|]",
        EN_OWNERSHIP + "\n" + EN_REASON,
    ),
    ("en", "improper", "i only [do|handle|deal with|cover|look after]", EN_OWNERSHIP),
    ("en", "improper", "[between you and|between yourself and] [your|the]", EN_OWNERSHIP),
    ("en", "improper", "not [get|getting] involved", EN_OWNERSHIP),
    ("en", "improper", "[take it|take that|take this] up with", EN_OWNERSHIP),
    (
        "en",
        "improper",
        "you will have to",
        EN_REASON + "\n" + EN_OWNERSHIP + "\nyou will have to [bring|show|sign]",
    ),
    # Refusing without a reason or an alternative.
    ("en", "improper", "no * , no", "no , no"),
    (
        "en",
        "improper",
        "i [do not|can not|will not] [do|give|offer|make|accept|allow] [refunds|exceptions|refund|exception"
        "|that|this|it|anything]",
        EN_REASON + "\n" + EN_OWNERSHIP,
    ),
    ("en", "improper", "nothing [i|we] can do", "nothing else [i|we] can do\n" + EN_REASON),
    (
        "en",
        "improper",
        "[that|it|this] be [just|simply|] [the price|the policy|the rule|the rules|how it be|how it works|how the"
        " system works|the way it be|the way it works|life]",
        EN_REASON + "\n" + EN_OWNERSHIP,
    ),
    ("en", "improper", "[can not|cannot] change [it|that|this|anything]", EN_REASON + "\n" + EN_OWNERSHIP),
    ("en", "improper", "the decision be final", EN_REASON),
    ("en", "improper", "no point [complaining|calling|arguing|asking|chasing|emailing|writing]", ""),
    # Blaming the customer.
    (
        "en",
        "improper",
        "if you [would|had] [have|] [read|listen|check|follow|keep|pay|look|bother|call|tell]",
        "",
    ),
    (
        "en",
        "improper",
        "be your [responsibility|lookout|job|problem|fault|mistake|own fault|own problem]",
        "not your\nnot be your",
    ),
    ("en", "improper", "[down to you|on your head|your own lookout]", ""),
    ("en", "improper", "what [do|did] you expect", ""),
    ("en", "improper", "you [chose|picked|signed|agreed|clicked|ticked] * so", ""),
    # Impatience.
    (
        "en",
        "impatient",
        "i have * [explain|tell you|say|answer|go over|be over] * [time|twice|already|before]",
        "",
    ),
    ("en", "impatient", "you [have|] [tell me|told me|ask me|say] * [already|before|twice|time]", ""),
    ("en", "impatient", "[yes|ok|okay|alright|fine] , [yes|ok|okay|alright|fine]", ""),
    (
        "en",
        "impatient",
        "[stop|quit] [calling|emailing|ringing|messaging|chasing|asking|writing|contacting|complaining|pestering"
        "|bothering|texting]",
        "",
    ),
    (
        "en",
        "impatient",
        "do not [call|email|chase|write|ask|contact|text|message] [me|] [again|any more|anymore|until|every]",
        "",
    ),
    ("en", "impatient", "will not [speed * up|make * faster|make * quicker|get * faster|get * quicker]", ""),
    (
        "en",
        "impatient",
        "why * you * [call|ask|email|write|contact|chase] [me|]",
        "[understand|see|know] why",
    ),
    ("en", "impatient", "[can you|could you|will you] [just|] [hurry|be quick|speed up|keep it short]", ""),
    (
        "en",
        "impatient",
        "[i have|i be] [get|] [better things|other calls|a queue|other customers|people waiting]",
        "",
    ),
    (
        "en",
        "impatient",
        "you [need|have] to [listen|calm down|understand|be patient|wait your turn|stop|accept]",
        "",
    ),
    ("en", "improper", "[not much|nothing] [i|we] can do", EN_REASON + "\n" + EN_OWNERSHIP),
    ("en", "improper", "[can not|cannot] [help that|do anything about]", EN_REASON + "\n" + EN_OWNERSHIP),
    ("en", "improper", "[out of my hands|nothing to be done|it be what it be]", EN_OWNERSHIP),
    (
        "en",
        "impatient",
        "[you will|you] [have|need] to [wait|be patient|accept|put up with|live with]",
        EN_REASON + "\n" + EN_OWNERSHIP,
    ),
    ("en", "impatient", "not [go to|gonna] [argue|discuss|repeat|explain]", ""),
    ("en", "impatient", "i be not [argue|discuss|debate|repeat]", ""),
    ("en", "improper", "nobody [tell|ask|force|make] you", ""),
    ("en", "improper", "you be [wrong|mistaken|confused]", ""),
    ("en", "improper", "what do you want [me|i] to do", ""),
    ("en", "improper", "as [you|anyone] [can|could] [clearly|plainly|obviously|] see", ""),
    ("en", "improper", "not something i [can|could|will] [help|do|deal|handle]", EN_OWNERSHIP),
    ("en", "impatient", "do not [shout|yell|raise your voice|take that tone]", ""),
    ("en", "improper", "what * [want|expect] [me|i] to do", ""),
    ("en", "improper", "properly [this time|next time]", ""),
    ("en", "improper", "[people like you|you lot|your sort|your type]", ""),
    (
        "en",
        "impatient",
        "[you|it|this|that] [have|] be [tell|explain|say|inform|advise|answer] * [already|before|time|twice"
        "|repeatedly]",
        "",
    ),
    ("en", "impatient", "not the only [customer|one|person|caller|patient|resident]", ""),
    (
        "en",
        "improper",
        "[everyone|everybody|other customers|other people] [else|] [manage|cope|seem to|understand]",
        "",
    ),
    ("en", "improper", "[not pay enough|ask around|try read|not a mind reader|only do so much]", ""),
    ("en", "improper", "did you [even|bother]", ""),
    ("en", "improper", "you [did not|never] [bother|even]", ""),
    ("en", "impatient", "quite frankly", ""),
    (
        "en",
        "improper",
        "not your [personal assistant|secretary|servant|babysitter|slave|mother|mum|nanny]",
        "",
    ),
    (
        "en",
        "improper",
        "system [will not|do not|can not|cannot] [let|allow]",
        EN_REASON + "\n" + EN_OWNERSHIP,
    ),
    ("en", "improper", "should [have|] [think of that|think about that|think of this]", ""),
    ("en", "improper", ", not mine", ""),
    ("en", "impatient", "how many * i [get|have|deal|handle|take]", ""),
    (
        "en",
        "improper",
        "[like it or not|like it or lump it|makes no difference to me|no difference to me]",
        "",
    ),
    ("en", "improper", "i [do not|could not] care", ""),
    ("en", "improper", "complain [then|if you want|if you like|away|all you like]", ""),
    ("en", "improper", "a complaint [then|if you want|if you like]", ""),
    ("en", "improper", "you [should|ought to] know [that|this|better]", ""),
    (
        "en",
        "improper",
        "[thanks for nothing|good for you|nice try|well done you|big surprise|shock horror]",
        "",
    ),
    ("en", "improper", "who [tell|told] you that", ""),
    ("en", "improper", "[do|did] all i can", "+[but|instead|what i can do]"),
    ("en", "improper", "[not a charity|the small print]", ""),
    (
        "en",
        "impatient",
        "[read|see|check] my [previous|last|earlier] [email|message|reply|answer|letter]",
        "",
    ),
    ("en", "impatient", "as [previously|already] [state|advise|mention|explain|say]", ""),
    ("en", "impatient", "per my [last|previous] [email|message|letter]", ""),
    ("en", "impatient", "what [else|more] * you want", ""),
    ("en", "improper", "[get back to you|call you|contact you|hear from] * [eventually|at some point]", ""),
    ("en", "improper", "like [everyone|everybody] else", ""),
    (
        "en",
        "improper",
        "[go elsewhere|take your business elsewhere|you be free to leave|you be free to go]",
        "",
    ),
    ("en", "improper", "that be what * be for", ""),
    ("en", "improper", "i get [hundreds|thousands|loads|lots|dozens] of", ""),
    ("en", "improper", "[nobody|no one|no-one] else", "+[sorry|apologi]"),
    # Acronyms, in either language: any word in capitals is jargon unless explained, or too common to need it
    # (the exceptions).
    ("en", "jargon", "{ACRONYM}", ACRONYMS_KNOWN),
    # Dismissal, condescension, sarcasm.
    (
        "en",
        "improper",
        "[read|check|look * up|google|search|sort * out|figure * out|work * out|fix] * yourself",
        "",
    ),
    ("en", "improper", "[google it|look it up|just google|use google]", ""),
    (
        "en",
        "improper",
        "[not that hard|not that difficult|not difficult|it be simple|it be obvious|even a child]",
        "",
    ),
    (
        "en",
        "improper",
        "[not have|no|have no|do not have|do not have the] time for [question|this|that|you]",
        "",
    ),
    ("en", "improper", "[whatever you say|if you say so|good luck with that|suit yourself|your choice]", ""),
    (
        "en",
        "improper",
        "it be [all|clearly|] in [the|your] [email|letter|website|leaflet|faq|terms|contract|manual|document]",
        EN_OWNERSHIP,
    ),
]


def load(apps, schema_editor):
    rule_model = apps.get_model("quality", "PhraseRule")
    for language, category, phrase, exceptions in RULES:
        rule_model.objects.get_or_create(
            language=language, category=category, phrase=phrase, defaults={"exceptions": exceptions}
        )


class Migration(migrations.Migration):
    dependencies = [("quality", "0007_phrase_patterns_field")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
