"""Parsing inbound mail: the corpus in tests/mail/messages/ holds real-world-shaped raw messages."""

import base64
import datetime
import hashlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.mail.parsing import (
    MAX_ATTACHMENTS,
    MAX_HTML_DEPTH,
    MAX_TEXT_CHARS,
    MessageParseError,
    ParsedMessage,
    case_numbers_in,
    filename_sanitise,
    html_sanitise,
    html_to_text,
    message_parse,
    reply_split,
)

MESSAGES = Path(__file__).parent / "messages"
UTC = datetime.UTC


def corpus(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


def parse(name: str) -> ParsedMessage:
    return message_parse(corpus(name))


def simple(headers: str, body: bytes = b"Hello\r\n") -> bytes:
    return headers.strip().replace("\n", "\r\n").encode() + b"\r\n\r\n" + body


# --- the corpus -------------------------------------------------------------------------------------------


def test_every_corpus_file_is_listed_in_the_readme() -> None:
    readme = (MESSAGES / "README.md").read_text(encoding="utf-8")
    names = sorted(path.name for path in MESSAGES.iterdir() if path.suffix in {".eml", ".bin"})
    assert len(names) >= 17
    assert [name for name in names if f"`{name}`" not in readme] == []


def test_corpus_messages_use_crlf_line_ends() -> None:
    for path in MESSAGES.glob("*.eml"):
        data = path.read_bytes()
        assert b"\r\n" in data
        assert data.count(b"\n") == data.count(b"\r\n"), path.name


def test_utf8_quoted_printable_message_decodes_headers_and_body() -> None:
    message = parse("utf8-plain.eml")

    assert message.message_id == "20260105093000.4F2A@mail.example.com"
    assert message.has_message_id is True
    assert message.subject == "水费异常，请核查"
    assert message.from_name == "李娜"
    assert message.from_address == "li.na@example.com"
    assert message.to == ("service@charter.example",)
    assert message.cc == ()
    assert message.reply_to == ""
    assert message.date == datetime.datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert (
        message.text
        == "您好：\n\n我家（幸福路12号3单元）本月水费比上月高出三倍，\n请尽快核查水表读数。谢谢！\n\n李娜\n"
    )
    assert message.html == ""
    assert message.attachments == ()
    assert message.automated == ""
    assert message.is_automated is False


def test_gbk_complaint_decodes_subject_sender_and_body() -> None:
    message = parse("gbk-complaint-attachment.eml")

    assert message.subject == "投诉：幸福小区5栋水费计量错误，请尽快处理"
    assert message.from_name == "王小明"
    assert message.from_address == "wangxm@163.com"
    assert message.date == datetime.datetime(2026, 1, 6, 1, 15, 42, tzinfo=UTC)
    assert message.text.startswith("尊敬的客服：\n\n我是幸福小区5栋的住户王小明，户号 310012345。\n")
    assert "请派人核查水表。" in message.text
    assert "\r" not in message.text


def test_gbk_complaint_skips_an_unparseable_cc_address_and_lowercases_the_rest() -> None:
    assert parse("gbk-complaint-attachment.eml").cc == ("office@charter.example",)


def test_gbk_complaint_attachment_names_decode_from_rfc2231_and_encoded_words() -> None:
    pdf, photo, readings = parse("gbk-complaint-attachment.eml").attachments

    # RFC 2231 filename* wins over the encoded-word name= Outlook also sends.
    assert pdf.filename == "水费账单.pdf"
    assert pdf.content_type == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4\n") and pdf.content.endswith(b"%%EOF\n")
    assert photo.filename == "现场照片.jpg"
    assert photo.content_type == "image/jpeg"
    assert photo.content[:3] == b"\xff\xd8\xff"
    assert readings.filename == "幸福小区5栋水表读数记录（2025年12月）.txt"
    assert readings.content_type == "text/plain"
    assert readings.content == "12月1日 读数 1203\r\n12月31日 读数 1289\r\n".encode("gbk")


def test_gb2312_label_with_gbk_only_characters_decodes_as_gb18030() -> None:
    message = parse("gb2312-labelled-gbk.eml")

    assert message.subject == "镕城路停水三天"
    assert message.from_name == "陶喆"
    assert message.text == "您好，我叫陶喆，地址是镕城路88号。停水三天无人处理，请尽快恢复供水。\n"
    assert "\ufffd" not in message.text


def test_gb18030_four_byte_character_survives_in_headers_and_body() -> None:
    message = parse("gb18030.eml")

    assert message.subject == "生僻字𠀀无法实名认证"
    assert message.from_name == "张𠀀"
    assert "生僻字「𠀀」" in message.text


def test_big5_message_decodes_traditional_chinese() -> None:
    message = parse("big5.eml")

    assert message.subject == "水費帳單查詢"
    assert message.from_name == "陳大文"
    assert message.text == "您好：\n臺北市大安區的水費帳單金額有誤，煩請協助查詢。\n陳先生\n"


def test_html_only_message_derives_text_from_the_html() -> None:
    message = parse("html-only.eml")

    assert message.subject == "投诉抄表员态度"
    assert message.text.startswith("您好，\n\n我要投诉 抄表员 & 收费员的态度问题 <严重>。")
    assert "户号 310012345" in message.text
    assert "第一条\n\n第二条" in message.text
    assert "alert" not in message.text
    assert "background" not in message.text
    assert "投诉\n" not in message.text  # the <title> is not body text


def test_html_only_message_html_has_no_script_handler_or_remote_load() -> None:
    html = parse("html-only.eml").html

    for forbidden in (
        "<script",
        "alert",
        "onerror",
        "onload",
        "onclick",
        "<style",
        "tracker.example",
        "<form",
        "<input",
        "<iframe",
        "evil.example",
        "javascript:",
        "url(",
        "position",
    ):
        assert forbidden not in html, forbidden
    assert '<img src="data:image/png;base64,iVBORw0KGgo=" alt="签名">' in html
    assert html.count("<img") == 1
    assert '<a href="https://example.com/bill?id=1" rel="noopener noreferrer nofollow">查看账单</a>' in html
    assert '<p style="color:blue">蓝色</p>' in html
    assert "<p>红色提醒</p>" in html
    assert "<td>户号</td>" in html


def test_multipart_alternative_keeps_the_text_part_as_text() -> None:
    message = parse("multipart-alternative.eml")

    assert message.message_id == "CAF=abc123+XyZ@mail.gmail.com"
    assert (
        message.text == "Hello,\n\nThe water pressure in Building 7 has been low for a week.\n\nBest,\nAnna\n"
    )
    assert "<b>Building 7</b>" in message.html
    assert message.from_name == "Anna Schmidt"
    assert message.date == datetime.datetime(2026, 1, 11, 3, 4, 5, tzinfo=UTC)
    assert message.attachments == ()


def test_reply_carries_thread_ids_case_number_and_splittable_history() -> None:
    message = parse("reply-with-quote.eml")

    assert message.in_reply_to == ("case.TS-2026-000123.3@charter.example",)
    assert message.references == (
        "case.TS-2026-000123.1@charter.example",
        "case.TS-2026-000123.3@charter.example",
    )
    assert message.subject == "回复：[TS-2026-000123] 水费投诉"
    assert case_numbers_in(message.subject) == ("TS-2026-000123",)
    new, history = reply_split(message.text)
    assert new == "您好，补充一下：水表编号是 WM-8812，照片已经发过了。"
    assert history.startswith("------------------ 原始邮件 ------------------\n发件人:")
    assert history.endswith("王先生您好，请提供水表编号。")


def test_missing_message_id_falls_back_to_a_stable_sha256_of_the_bytes() -> None:
    raw = corpus("no-message-id.eml")

    first, second = message_parse(raw), message_parse(raw)

    assert first.has_message_id is False
    assert first.message_id == "sha256-" + hashlib.sha256(raw).hexdigest()
    assert first.message_id == second.message_id
    assert message_parse(raw + b"\r\n").message_id != first.message_id
    assert first.from_address == "old-client@example.net"
    assert first.from_name == ""


def test_empty_message_id_header_also_falls_back_to_sha256() -> None:
    raw = simple("From: a@example.com\nMessage-ID:   \nSubject: x")

    message = message_parse(raw)

    assert message.has_message_id is False
    assert message.message_id.startswith("sha256-")


def test_malformed_headers_still_parse() -> None:
    message = parse("malformed-headers.eml")

    assert message.message_id == "broken.1@example.org"
    assert message.date is None
    assert message.from_address == "zhang3@example.org"
    # Bad base64 decodes as far as it goes; the unknown charset falls back to UTF-8.
    assert message.from_name == "张三"
    assert message.subject == "投诉水费 =?utf-8?B?broken"
    # The stray line without a colon does not swallow the headers after it.
    assert message.to == ("service@charter.example",)
    assert message.text == "水管漏水，请派人维修。\n"


def test_auto_submitted_message_is_automated() -> None:
    message = parse("auto-reply.eml")

    assert message.subject == "自动回复: [TS-2026-000123] 水费投诉"
    assert message.automated == "auto-submitted"
    assert message.is_automated is True


def test_out_of_office_without_auto_submitted_is_an_auto_reply() -> None:
    message = parse("out-of-office.eml")

    assert message.automated == "auto-reply"
    assert case_numbers_in(message.subject) == ("TS-2026-000200",)


def test_bounce_is_recognised_and_keeps_its_report_parts() -> None:
    message = parse("bounce.eml")

    assert message.automated == "bounce"
    assert message.from_address == "mailer-daemon@mx.charter.example"
    assert message.from_name == "Mail Delivery System"
    assert message.text.startswith("I'm sorry to have to inform you")
    status, original = message.attachments
    assert (status.filename, status.content_type) == ("attachment.txt", "message/delivery-status")
    assert b"Final-Recipient: rfc822; nobody@invalid.example" in status.content
    assert (original.filename, original.content_type) == ("attachment.eml", "message/rfc822")
    assert b"Message-ID: <case.TS-2026-000123.2@charter.example>" in original.content


def test_bulk_mail_with_list_unsubscribe_is_list_mail() -> None:
    message = parse("bulk.eml")

    assert message.automated == "list"
    assert message.from_name == "节水生活"


def test_inline_image_is_an_attachment_and_its_cid_reference_survives() -> None:
    message = parse("inline-image.eml")

    assert message.text == "厨房水管漏水，照片如下。\n"
    assert '<img src="cid:leak-photo@example.com" alt="漏水">' in message.html
    (image,) = message.attachments
    assert image.filename == "attachment.png"
    assert image.content_type == "image/png"
    assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert image.content_id == "leak-photo@example.com"


def test_emoji_rtl_and_cjk_extension_characters_survive_raw_utf8_headers() -> None:
    message = parse("emoji-rtl.eml")

    assert message.subject == "停水 😡 مرحبا 𠮷"
    assert message.from_name == "Ahmed 🌊 أحمد"
    assert message.text == (
        "投诉内容 😡👨\u200d👩\u200d👧 家里停水。\nمرحبا، لا يوجد ماء في المنزل.\n姓名用字：𠮷 𪜀 𫝀\n"
    )
    assert message.date == datetime.datetime(2026, 1, 11, 8, 0, tzinfo=UTC)


def test_foxmail_raw_gbk_file_name_decodes() -> None:
    message = parse("foxmail-raw-gbk-filename.eml")

    assert message.subject == "补充材料"
    assert message.from_name == "刘芳"
    assert message.text == "材料见附件。\n"
    (document,) = message.attachments
    assert document.filename == "情况说明.docx"
    assert document.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert document.content == b"PK\x03\x04docx"


def test_binary_garbage_is_not_an_email() -> None:
    with pytest.raises(MessageParseError):
        message_parse(corpus("garbage.bin"))


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n\r\n",
        b"just some text without any headers\r\n",
        b"\x00\x01\x02\xff\xfe" * 50,
        b"X-Foo: bar\r\n",
    ],
)
def test_bytes_without_email_headers_raise_message_parse_error(raw: bytes) -> None:
    with pytest.raises(MessageParseError):
        message_parse(raw)


# --- bodies and charsets ------------------------------------------------------------------------------------


def test_body_without_charset_label_falls_back_to_utf8_then_gb18030() -> None:
    utf8 = message_parse(simple("From: a@example.com\nContent-Type: text/plain", "水费".encode()))
    gbk = message_parse(simple("From: a@example.com\nContent-Type: text/plain", "水费".encode("gbk")))

    assert utf8.text == "水费"
    assert gbk.text == "水费"


def test_ascii_label_on_gbk_bytes_falls_back_to_gb18030() -> None:
    raw = simple("From: a@example.com\nContent-Type: text/plain; charset=us-ascii", "投诉".encode("gbk"))

    assert message_parse(raw).text == "投诉"


def test_undecodable_body_is_replaced_not_raised() -> None:
    raw = simple("From: a@example.com\nContent-Type: text/plain; charset=utf-8", b"ok \xff\xfe\xfd\x80 end")

    text = message_parse(raw).text

    assert text.startswith("ok ") and text.endswith(" end")


def test_bytes_to_bytes_codec_label_is_ignored() -> None:
    raw = simple("From: a@example.com\nContent-Type: text/plain; charset=base64", "你好".encode())

    assert message_parse(raw).text == "你好"


def test_html_meta_charset_is_used_when_the_mime_label_is_missing() -> None:
    body = '<html><head><meta charset="big5"></head><body>臺灣</body></html>'.encode("big5")
    raw = simple("From: a@example.com\nContent-Type: text/html", body)

    assert message_parse(raw).text == "臺灣"


def test_long_body_is_truncated() -> None:
    body = b"a" * (MAX_TEXT_CHARS + 10)
    raw = simple("From: a@example.com\nContent-Type: text/plain; charset=us-ascii", body)

    assert len(message_parse(raw).text) == MAX_TEXT_CHARS


def test_nul_and_control_characters_are_removed_from_the_text() -> None:
    raw = simple("From: a@example.com\nContent-Type: text/plain", b"a\x00b\x07c\td\r\ne\rf")

    assert message_parse(raw).text == "abc\td\ne\nf"


def test_at_most_fifty_attachments_are_kept() -> None:
    parts = b"".join(
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename=f%d.pdf\r\n\r\n%d\r\n" % (index, index)
        for index in range(MAX_ATTACHMENTS + 5)
    )
    raw = simple('From: a@example.com\nContent-Type: multipart/mixed; boundary="b"', parts + b"--b--\r\n")

    attachments = message_parse(raw).attachments

    assert len(attachments) == MAX_ATTACHMENTS
    assert attachments[-1].filename == f"f{MAX_ATTACHMENTS - 1}.pdf"


def test_empty_text_alternative_falls_back_to_the_html() -> None:
    raw = simple(
        'From: a@example.com\nContent-Type: multipart/alternative; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\n\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>leak</p>\r\n--b--\r\n",
    )

    assert message_parse(raw).text == "leak"


def test_text_part_with_a_file_name_is_an_attachment_not_the_body() -> None:
    raw = simple(
        'From: a@example.com\nContent-Type: multipart/mixed; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        b"--b\r\nContent-Type: text/plain; name=notes.txt\r\n\r\nnotes\r\n--b--\r\n",
    )

    message = message_parse(raw)

    assert message.text == "body"
    assert [(item.filename, item.content) for item in message.attachments] == [("notes.txt", b"notes")]


def test_split_multibyte_character_across_encoded_words_is_joined() -> None:
    data = "水费投诉".encode("gbk")
    first, second = base64.b64encode(data[:3]).decode(), base64.b64encode(data[3:]).decode()
    raw = simple(f"From: a@example.com\nSubject: =?gbk?B?{first}?=\n =?gbk?B?{second}?=")

    assert message_parse(raw).subject == "水费投诉"


def test_subject_whitespace_is_collapsed() -> None:
    raw = simple("From: a@example.com\nSubject:  water \t bill\n   complaint  ")

    assert message_parse(raw).subject == "water bill complaint"


# --- headers ------------------------------------------------------------------------------------------------


def test_reply_to_is_a_lowercased_bare_address() -> None:
    raw = simple("From: a@example.com\nReply-To: =?utf-8?B?5a6i5pyN?= <Desk@Example.COM>")

    assert message_parse(raw).reply_to == "desk@example.com"


def test_unparseable_from_gives_empty_address() -> None:
    message = message_parse(simple("From: not an address\nSubject: x"))

    assert message.from_address == ""


def test_date_without_zone_is_taken_as_utc() -> None:
    message = message_parse(simple("From: a@example.com\nDate: Mon, 5 Jan 2026 10:00:00 -0000"))

    assert message.date == datetime.datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_references_without_brackets_are_split_on_whitespace() -> None:
    message = message_parse(simple("From: a@example.com\nReferences: one@x two@y\nIn-Reply-To: two@y"))

    assert message.references == ("one@x", "two@y")
    assert message.in_reply_to == ("two@y",)


# --- automated mail -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-generated", "auto-submitted"),
        ("Auto-Submitted: no", ""),
        ("Precedence: junk", "precedence"),
        ("Precedence: bulk", "precedence"),
        ("Precedence: list\nList-Id: <water.lists.example>", "list"),
        ("List-Unsubscribe: <https://example.com/u>", ""),
        ("X-Autoreply: yes", "auto-reply"),
        ("X-Autorespond: yes", "auto-reply"),
        ("X-Auto-Response-Suppress: OOF, AutoReply", "auto-reply"),
        ("X-Auto-Response-Suppress: DR, RN", ""),
        ("Subject: Auto: water bill", "auto-reply"),
        ("Subject: =?utf-8?B?6Ieq5Yqo5Zue5aSN77ya5rC06LS5?=", "auto-reply"),
        ("Subject: Automatic reply: water bill", "auto-reply"),
        ("Subject: Undeliverable: water bill", "auto-reply"),
        ("Subject: =?utf-8?B?57O757uf6YCA5L+h?=", "auto-reply"),
        ("Subject: Delivery Status Notification (Failure)", "auto-reply"),
        ("Subject: =?utf-8?B?6YCA5L+h6Zeu6aKY5oqV6K+J?=", ""),
        ("Subject: water bill", ""),
        ("Return-Path: <>", "mailer-daemon"),
    ],
)
def test_automated_reason_from_headers(headers: str, reason: str) -> None:
    message = message_parse(simple("From: someone@example.com\n" + headers))

    assert message.automated == reason
    assert message.is_automated is bool(reason)


def test_mail_from_postmaster_is_a_bounce() -> None:
    message = message_parse(simple("From: Postmaster@163.com\nSubject: =?gbk?B?z7XNs83Litw=?="))

    assert message.automated == "bounce"


def test_read_receipt_report_is_an_auto_reply() -> None:
    raw = simple(
        "From: a@example.com\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"',
        b"--b\r\nContent-Type: text/plain\r\n\r\nread\r\n--b--\r\n",
    )

    assert message_parse(raw).automated == "auto-reply"


# --- the HTML sanitiser -------------------------------------------------------------------------------------


def test_sanitiser_drops_scripts_styles_and_event_handlers() -> None:
    html = html_sanitise(
        '<style>p{color:red}</style><script>alert(1)</script><p onclick="x()" onmouseover="y()">hi</p>'
    )

    assert html == "<p>hi</p>"


def test_sanitiser_drops_remote_relative_and_protocol_relative_images() -> None:
    html = html_sanitise(
        '<img src="http://t.example/a.gif"><img src="https://t.example/b.gif"><img src="/c.gif">'
        '<img src="//t.example/d.gif"><img alt="a>b" src="http://t.example/e.gif">x'
    )

    assert html == "x"


def test_sanitiser_keeps_cid_and_raster_data_images_but_not_svg_data() -> None:
    html = html_sanitise(
        '<img src="cid:a@b"><img src="data:image/jpeg;base64,/9j/">'
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">'
    )

    assert html == '<img src="cid:a@b"><img src="data:image/jpeg;base64,/9j/">'


def test_sanitiser_drops_srcset_background_and_style_urls() -> None:
    html = html_sanitise(
        '<img src="cid:a" srcset="http://t.example/x 2x"><table background="http://t.example/bg">'
        '<tr><td style="background-image:url(http://t.example/c)">c</td></tr></table>'
        '<div style="color:red;background:url(http://t.example/d)">d</div>'
        '<div style="color:r\\65 d">e</div>'
    )

    assert "t.example" not in html
    assert "\\" not in html
    assert '<img src="cid:a">' in html


def test_sanitiser_keeps_links_with_safe_rel_and_drops_dangerous_targets() -> None:
    html = html_sanitise(
        '<a href="https://example.com/" rel="opener" target="_self">a</a>'
        '<a href="mailto:desk@example.com">b</a><a href="javascript:alert(1)">c</a>'
        '<a href="data:text/html,x">d</a><a href="/relative">e</a>'
    )

    assert html == (
        '<a href="https://example.com/" rel="noopener noreferrer nofollow">a</a>'
        '<a href="mailto:desk@example.com" rel="noopener noreferrer nofollow">b</a>'
        '<a rel="noopener noreferrer nofollow">c</a><a rel="noopener noreferrer nofollow">d</a>'
        '<a rel="noopener noreferrer nofollow">e</a>'
    )


def test_sanitiser_drops_forms_frames_objects_base_and_meta() -> None:
    html = html_sanitise(
        '<base href="http://evil.example/"><meta http-equiv="refresh" content="0;url=http://evil.example/">'
        '<link rel="stylesheet" href="http://evil.example/s.css"><form action="http://evil.example/">'
        '<input name="password"><textarea>t</textarea><select><option>o</option></select></form>'
        '<iframe src="http://evil.example/"></iframe><object data="http://evil.example/x"></object>'
        '<embed src="http://evil.example/y"><svg><script>alert(1)</script></svg>ok'
    )

    assert html == "ok"


def test_sanitiser_keeps_email_formatting() -> None:
    html = html_sanitise(
        '<font color="#ff0000" face="SimSun">红</font><table border="1" cellpadding="2">'
        '<tr><td align="center" colspan="2">x</td></tr></table><p style="font-size:14px;position:fixed">p</p>'
    )

    assert '<font color="#ff0000" face="SimSun">红</font>' in html
    assert '<table border="1" cellpadding="2">' in html
    assert '<td align="center" colspan="2">x</td>' in html
    assert '<p style="font-size:14px">p</p>' in html


def test_sanitiser_strips_comments() -> None:
    assert html_sanitise("<!--[if mso]><v:rect></v:rect><![endif]-->a") == "a"


def test_sanitiser_reduces_absurdly_deep_markup_to_escaped_text() -> None:
    markup = "<div>" * (MAX_HTML_DEPTH + 1) + "<script>x()</script>a<b" + "</div>" * (MAX_HTML_DEPTH + 1)

    assert html_sanitise(markup) == "<p>a</p>"


def test_sanitiser_keeps_ordinary_nesting() -> None:
    markup = "<div>" * 50 + "a" + "</div>" * 50

    assert html_sanitise(markup) == markup


def test_html_to_text_breaks_blocks_and_decodes_entities() -> None:
    text = html_to_text(
        "<html><head><title>t</title><style>p{}</style></head><body><p>a&nbsp;&amp;&lt;b&gt;</p>"
        "<div>c<br>d</div><script>e()</script><pre>  f\n  g</pre><table><tr><td>h</td><td>i</td></tr></table>"
        "</body></html>"
    )

    # Lines are stripped, so <pre> indentation does not survive; the words and line breaks do.
    assert text == "a &<b>\n\nc\nd\n\nf\ng\n\nh i"


# --- file names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd", "text/plain", "passwd"),
        ("C:\\Users\\王\\账单.pdf", "application/pdf", "账单.pdf"),
        ("bad\x00na\x1fme\u202etxt.exe", "application/octet-stream", "badnametxt.exe"),
        ("tab\tand\u3000ideographic space.doc", "application/msword", "tab and ideographic space.doc"),
        ("", "application/pdf", "attachment.pdf"),
        ("..", "image/png", "attachment.png"),
        ("  ", "application/x-unknown", "attachment.bin"),
        ("line\nbreak.txt", "text/plain", "line break.txt"),
    ],
)
def test_filename_sanitise(name: str, content_type: str, expected: str) -> None:
    assert filename_sanitise(name, content_type) == expected


def test_long_file_name_is_cut_to_200_characters_keeping_the_extension() -> None:
    name = filename_sanitise("水" * 300 + ".pdf", "application/pdf")

    assert len(name) == 200
    assert name.endswith("水.pdf")


# --- reply_split --------------------------------------------------------------------------------------------


def test_reply_split_english_on_wrote() -> None:
    text = (
        "Thanks, fixed now.\r\n\r\n"
        "On Mon, Jan 5, 2026 at 10:00 AM Desk <desk@example.com> wrote:\r\n> Hello\r\n"
    )

    assert reply_split(text) == (
        "Thanks, fixed now.",
        "On Mon, Jan 5, 2026 at 10:00 AM Desk <desk@example.com> wrote:\n> Hello",
    )


def test_reply_split_gmail_attribution_wrapped_over_two_lines() -> None:
    text = "Yes.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Customer Service Desk <\ndesk@example.com> wrote:\n\n> Hi"

    new, history = reply_split(text)

    assert new == "Yes."
    assert history.startswith("On Mon, Jan 5")


def test_reply_split_quote_marks_only() -> None:
    assert reply_split("OK\n> earlier\n>> older") == ("OK", "> earlier\n>> older")


@pytest.mark.parametrize(
    "attribution",
    [
        "在 2026年1月5日 星期一 10:00，客服中心 <desk@example.com> 写道：",
        "客服中心 于 2026-01-05 10:00 写道:",
        "于2026年1月5日 周一 上午10:00，客服中心写道：",
    ],
)
def test_reply_split_chinese_attribution(attribution: str) -> None:
    text = f"好的，谢谢。\n\n{attribution}\n> 请提供户号。"

    assert reply_split(text) == ("好的，谢谢。", f"{attribution}\n> 请提供户号。")


def test_reply_split_leaves_prose_that_mentions_writing_alone() -> None:
    text = "抄表员在单子上写道：\n读数 1203。"

    assert reply_split(text) == (text, "")


@pytest.mark.parametrize(
    "separator",
    [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----原始邮件-----",
        "------------------ 原始邮件 ------------------",
    ],
)
def test_reply_split_original_message_separators(separator: str) -> None:
    new, history = reply_split(f"See attached.\n\n{separator}\nFrom: desk@example.com\nhello")

    assert new == "See attached."
    assert history.startswith(separator)


def test_reply_split_outlook_header_block() -> None:
    text = (
        "Done.\n\nFrom: Service Desk <desk@example.com>\nSent: Monday, January 5, 2026 10:00 AM\nTo: me\nhi"
    )

    assert reply_split(text)[0] == "Done."
    assert reply_split(text)[1].startswith("From: Service Desk")


def test_reply_split_takes_the_outlook_rule_above_the_header_block_into_the_history() -> None:
    text = "Done.\n________________________________\nFrom: Desk <desk@example.com>\nSent: Monday\nhi"

    assert reply_split(text) == (
        "Done.",
        "________________________________\nFrom: Desk <desk@example.com>\nSent: Monday\nhi",
    )


def test_reply_split_rule_of_underscores_alone_is_not_history() -> None:
    text = "姓名：张三\n____________\n签名"

    assert reply_split(text) == (text, "")


def test_reply_split_chinese_outlook_header_block_with_full_width_colons() -> None:
    text = (
        "已补充材料。\n\n"
        "发件人： 客服中心 <desk@example.com>\n发送时间： 2026年1月5日 10:00\n收件人： 王小明\n主题： 水费"
    )

    new, history = reply_split(text)

    assert new == "已补充材料。"
    assert history.startswith("发件人： 客服中心")


def test_reply_split_from_line_alone_is_not_history() -> None:
    text = "From: the meter room\nthe pipe leaks."

    assert reply_split(text) == (text, "")


def test_reply_split_without_history_strips_the_text() -> None:
    assert reply_split("  \n水管漏水。\n\n") == ("水管漏水。", "")


# --- case numbers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "numbers"),
    [
        ("回复：[TS-2026-000123] 水费投诉", ("TS-2026-000123",)),
        (
            "Re: Re: TS-2026-000123 and TS-2025-000009, again TS-2026-000123",
            ("TS-2026-000123", "TS-2025-000009"),
        ),
        ("回复TS-2026-1234567", ("TS-2026-1234567",)),
        ("水费投诉", ()),
        ("ts-2026-000123 TS-2026-00012 TS2026-000123", ()),
    ],
)
def test_case_numbers_in(subject: str, numbers: tuple[str, ...]) -> None:
    assert case_numbers_in(subject) == numbers


# --- properties ------------------------------------------------------------------------------------------

# Fragments of headers and MIME structure that malformed real mail is made of.
HEADER_SOUP = (
    'Subject: |=?gbk?B?|=?utf-8?Q?|?=|=E6|5rC0|\xff|\xd6\xd0|;|\r\n| |<|>|@|filename*=|"|--b|From: |'
    "Content-Type: multipart/mixed; boundary=b"
).split("|")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_parse_or_raise_message_parse_error(raw: bytes) -> None:
    try:
        message = message_parse(raw)
    except MessageParseError:
        return
    assert isinstance(message.text, str)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(HEADER_SOUP), max_size=40))
def test_header_soup_after_a_from_line_never_crashes(pieces: list[str]) -> None:
    raw = b"From: a@example.com\r\n" + "".join(pieces).encode("latin-1")

    message = message_parse(raw)

    for value in (message.subject, message.from_name, message.text, message.html):
        value.encode("utf-8")  # no lone surrogates left behind


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab >\n写道在于1：:-Original Message发件人Sent")), max_size=200))
def test_reply_split_only_splits_the_text(text: str) -> None:
    new, history = reply_split(text)

    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert new in normalised and history in normalised
    assert new == new.strip() and history == history.strip()
