"""Turn the raw bytes of an inbound e-mail into a clean, safe message.

Pure functions, no I/O and no Django: the fetcher hands in bytes, the mail services store the result.

Chinese mailboxes see every legacy charset, often mis-labelled, so nothing here trusts a label blindly:
text is decoded by trying the label, then UTF-8, then GB18030, and finally UTF-8 with replacement
characters. GB2312 and GBK labels are decoded as GB18030 (their superset), because clients that say
"gb2312" routinely send GBK characters such as 镕 or 喆.

The stdlib parser runs with the ``compat32`` policy, which keeps header values raw instead of decoding them
with the labelled codec (the ``default`` policy would mangle mis-labelled GB2312 and can raise on
malformed headers when they are read); headers are decoded here, leniently.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import email.parser
import email.policy
import email.utils
import hashlib
import html
import html.parser
import quopri
import re
import unicodedata
from collections.abc import Iterator
from email.message import Message

import nh3

from charter.common.richtext import html_nesting_depth

MAX_TEXT_CHARS = 1_000_000
MAX_ATTACHMENTS = 50
MAX_FILENAME_CHARS = 200

# Labels that lie about their superset: decode them with the superset, which accepts every byte sequence
# the smaller set does and the same way.
_CHARSET_SUPERSETS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gb_2312": ("gb18030",),
    "gb_2312-80": ("gb18030",),
    "euc-cn": ("gb18030",),
    "euccn": ("gb18030",),
    "x-euc-cn": ("gb18030",),
    "chinese": ("gb18030",),
    "csgb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "x-gbk": ("gb18030",),
    "cp936": ("gb18030",),
    "ms936": ("gb18030",),
    "windows-936": ("gb18030",),
    "gb18030": ("gb18030",),
    "big5": ("cp950", "big5hkscs"),
    "x-big5": ("cp950", "big5hkscs"),
    "cn-big5": ("cp950", "big5hkscs"),
    "big5-hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "ks_c_5601-1987": ("cp949",),
    "euc-kr": ("cp949",),
    "iso-8859-1": ("cp1252",),
    "latin1": ("cp1252",),
    "us-ascii": ("ascii",),
    "ascii": ("ascii",),
}

_EXTENSIONS: dict[str, str] = {
    "application/pdf": ".pdf",
    "application/ofd": ".ofd",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/x-rar-compressed": ".rar",
    "application/vnd.rar": ".rar",
    "application/x-7z-compressed": ".7z",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.ms-outlook": ".msg",
    "application/json": ".json",
    "application/xml": ".xml",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/heic": ".heic",
    "image/svg+xml": ".svg",
    "audio/mpeg": ".mp3",
    "audio/amr": ".amr",
    "audio/wav": ".wav",
    "video/mp4": ".mp4",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
}

_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_WHITESPACE = re.compile(r"\s+")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MESSAGE_ID = re.compile(r"<([^<>]*)>")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# A message needs at least one of these headers to be taken for an e-mail at all.
_MESSAGE_HEADERS = frozenset(
    (
        "from to cc subject date message-id received return-path mime-version content-type sender "
        "delivered-to reply-to"
    ).split()
)


@dataclasses.dataclass(frozen=True)
class ParsedAttachment:
    """A file carried by a message: a real attachment or an inline non-body part such as an image."""

    filename: str
    content_type: str
    content: bytes
    # Without angle brackets; lets the UI resolve the "cid:" images the sanitised HTML keeps.
    content_id: str = ""


@dataclasses.dataclass(frozen=True)
class ParsedMessage:
    """Everything the complaint desk needs from one inbound message, decoded and made safe to show."""

    message_id: str
    has_message_id: bool
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_address: str
    from_name: str
    reply_to: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime.datetime | None
    text: str
    html: str
    attachments: tuple[ParsedAttachment, ...]
    automated: str
    # Attachments beyond MAX_ATTACHMENTS, left out of `attachments` (the raw message still has them).
    attachments_dropped: int = 0

    @property
    def is_automated(self) -> bool:
        """Whether a machine sent this (auto-reply, bounce, bulk mail): never answer it automatically."""
        return bool(self.automated)


class MessageParseError(ValueError):
    """The bytes are not an e-mail message we can read (e.g. empty, no headers at all, binary garbage)."""


# --- text decoding ---------------------------------------------------------------------------------------


def _charset_candidates(label: str | None) -> list[str]:
    label = (label or "").strip().strip("\"'").lower()
    candidates = list(_CHARSET_SUPERSETS.get(label, (label,) if label else ()))
    candidates += ["utf-8", "gb18030"]
    return candidates


def bytes_decode(data: bytes, charset: str | None) -> str:
    """Decode bytes as text: the label (via its superset), then UTF-8, then GB18030, never raising."""
    for candidate in _charset_candidates(charset):
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeError, ValueError, TypeError):
            # LookupError covers unknown labels and bytes-to-bytes codecs such as "base64".
            continue
    return data.decode("utf-8", errors="replace")


def _unescape_raw(value: str) -> str:
    """Recover text from a header value that carried raw 8-bit bytes (UTF-8, or GBK from Foxmail/Outlook).

    The parser keeps such bytes as surrogate escapes; turn them back into bytes and decode leniently.
    """
    if not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    return bytes_decode(raw, None)


def _encoded_word_bytes(encoding: str, payload: str) -> bytes:
    if encoding in "bB":
        cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        cleaned += "=" * (-len(cleaned) % 4)
        try:
            return base64.b64decode(cleaned)
        except (binascii.Error, ValueError):
            return payload.encode("ascii", errors="replace")
    return quopri.decodestring(payload.replace("_", " ").encode("ascii", errors="replace"), header=False)


def header_decode(value: str | None) -> str:
    """Decode an RFC 2047 header value leniently, without collapsing whitespace.

    Unlike ``email.header.decode_header`` this accepts encoded words glued to other text or inside quotes
    (Outlook writes both), survives bad base64, and joins adjacent words of one charset before decoding,
    since clients split a multi-byte character across two words.
    """
    if not value:
        return ""
    value = _unescape_raw(str(value))
    pieces: list[str] = []
    pending: bytes = b""
    pending_charset = ""
    position = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            pieces.append(bytes_decode(pending, pending_charset))
        pending, pending_charset = b"", ""

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        # Whitespace between two encoded words is folding, not content (RFC 2047 section 6.2).
        if between and not (pending and between.isspace()):
            flush()
            pieces.append(between)
        charset = match.group(1).lower()
        data = _encoded_word_bytes(match.group(2), match.group(3))
        if pending and charset != pending_charset:
            flush()
        pending += data
        pending_charset = charset
        position = match.end()
    flush()
    pieces.append(value[position:])
    return _CONTROL_CHARS.sub("", "".join(pieces).replace("\r", "").replace("\n", ""))


def _collapse(value: str) -> str:
    return _WHITESPACE.sub(" ", value).strip()


# --- headers ---------------------------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    return str(value)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _bare_address(address: str) -> str:
    address = address.strip().strip("<>").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(char.isspace() for char in address) or "@" in domain:
        return ""
    # Control characters (a NUL above all: PostgreSQL refuses it in text) make no deliverable address.
    if _CONTROL.search(address):
        return ""
    return address


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    """(display name, bare address) pairs of every valid address in all headers called ``name``."""
    values = [_unescape_raw(str(value)) for value in message.get_all(name, [])]
    pairs = []
    for display_name, address in email.utils.getaddresses(values):
        bare = _bare_address(address)
        if bare:
            pairs.append((_collapse(header_decode(display_name)).strip("\"' "), bare))
    return pairs


def _message_ids(value: str) -> tuple[str, ...]:
    value = _CONTROL.sub("", _unescape_raw(value))
    ids = [_WHITESPACE.sub("", found) for found in _MESSAGE_ID.findall(value)]
    if not ids:
        ids = value.split()
    return tuple(dict.fromkeys(found for found in ids if found))


def _date(value: str) -> datetime.datetime | None:
    if not value.strip():
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(_collapse(_unescape_raw(value)))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        # RFC 5322 "-0000": the time is UTC, the sender's zone unknown.
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC)


# --- bodies and attachments ------------------------------------------------------------------------------


def _leaves(part: Message) -> Iterator[Message]:
    """Every non-container part in order; an attached message (message/*) counts as one leaf."""
    if part.is_multipart() and not part.get_content_maintype() == "message":
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _leaves(child)
    else:
        yield part


def _payload_bytes(part: Message) -> bytes:
    if part.get_content_maintype() == "message" or part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            chunks = []
            for sub in payload:
                if not isinstance(sub, Message):
                    continue
                try:
                    chunks.append(sub.as_bytes())
                except (LookupError, UnicodeError, ValueError, TypeError, RecursionError):
                    # The generator cannot write some malformed parts back; the raw payload is all we have.
                    payload_text = sub.get_payload()
                    if isinstance(payload_text, str):
                        chunks.append(payload_text.encode("utf-8", errors="surrogateescape"))
            return b"".join(chunks)
    try:
        decoded = part.get_payload(decode=True)
    except (LookupError, UnicodeError, ValueError, TypeError, binascii.Error):
        decoded = None
    if isinstance(decoded, bytes):
        return decoded
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", errors="surrogateescape")
    return b""


def _param_text(part: Message, name: str, header: str) -> str:
    try:
        value = part.get_param(name, header=header)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return ""
    if value is None or value == "":
        return ""
    if isinstance(value, tuple):
        # RFC 2231: (charset, language, percent-decoded text whose characters stand for bytes).
        charset, _language, text = value
        try:
            raw = str(text).encode("latin-1")
        except UnicodeEncodeError:
            raw = str(text).encode("utf-8", errors="surrogateescape")
        return bytes_decode(raw, charset)
    return header_decode(email.utils.unquote(str(value)))


def _raw_filename(part: Message) -> str:
    return _param_text(part, "filename", "content-disposition") or _param_text(part, "name", "content-type")


def filename_sanitise(name: str, content_type: str) -> str:
    """Make a file name safe to store and show: no path, no control or bidi characters, at most 200 chars.

    An empty result becomes "attachment" plus an extension guessed from the content type.
    """
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if char in "\t\n\r" or unicodedata.category(char) in {"Zs", "Zl", "Zp"} else char
        for char in name
        if char in "\t\n\r" or unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    name = _collapse(name).strip(". ")
    if not name:
        return "attachment" + _EXTENSIONS.get(content_type, ".bin")
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and stem and len(extension) <= 16:
            name = stem[: MAX_FILENAME_CHARS - len(extension) - 1].rstrip(". ") + "." + extension
        else:
            name = name[:MAX_FILENAME_CHARS]
    return name


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or bool(_raw_filename(part))


def _part_text(part: Message) -> str:
    data = _payload_bytes(part)
    charset = part.get_param("charset")
    label = charset if isinstance(charset, str) else None
    if label is None and part.get_content_subtype() == "html":
        found = _META_CHARSET.search(data[:4096])
        label = found.group(1).decode("ascii") if found else None
    return bytes_decode(data, label)


def _normalise_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text)[:MAX_TEXT_CHARS]


# --- HTML ------------------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    (
        "address article aside blockquote br center dd div dl dt figcaption figure footer form h1 "
        "h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tr ul"
    ).split()
)
_HIDDEN_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "iframe"})


class _TextExtractor(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.hidden_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")
        elif tag in {"td", "th"}:
            self.chunks.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
        if tag in _BLOCK_TAGS and tag != "br":
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if self.hidden_depth:
            return
        data = data.replace("\xa0", " ")
        self.chunks.append(data if self.pre_depth else re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup: str) -> str:
    """Plain text of an HTML body: block tags become line breaks, entities decoded, scripts/styles gone."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.chunks).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_HTML_TAGS = (set(nh3.ALLOWED_TAGS) - {"area", "map"}) | {"font", "tfoot"}
_HTML_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attributes) for tag, attributes in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"style", "dir", "lang", "title"},
    "font": {"color", "face", "size"},
    "table": {"align", "border", "cellpadding", "cellspacing", "width", "bgcolor", "summary"},
    "td": {"align", "valign", "width", "height", "colspan", "rowspan", "bgcolor", "nowrap"},
    "th": {"align", "valign", "width", "height", "colspan", "rowspan", "bgcolor", "scope"},
    "tr": {"align", "valign", "bgcolor"},
}
_STYLE_PROPERTIES = set(
    (
        "color background-color font font-family font-size font-style font-weight text-align "
        "text-decoration text-indent line-height letter-spacing white-space vertical-align "
        "direction width max-width height margin margin-top margin-right margin-bottom margin-left "
        "padding padding-top padding-right padding-bottom padding-left border border-top "
        "border-right border-bottom border-left border-color border-style border-width "
        "border-collapse"
    ).split()
)
_LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
_INLINE_IMAGE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp|bmp);", re.IGNORECASE)
# nh3 serialises every attribute value in double quotes, so a tag ends at the first ">" outside them.
_IMG_TAG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>')


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    lowered = value.strip().lower()
    if attribute == "src":
        # Only images carried by the message itself: a remote load would tell the sender we read it.
        if tag == "img" and (lowered.startswith("cid:") or _INLINE_IMAGE.match(lowered)):
            return value
        return None
    if attribute == "href":
        return value if lowered.startswith(_LINK_SCHEMES) else None
    if attribute == "style" and any(marker in lowered for marker in ("url(", "expression", "image", "\\")):
        return None
    return value


# html5ever, under nh3, takes time quadratic in the nesting depth: 50,000 nested <div>s take seconds.
MAX_HTML_DEPTH = 400


def html_sanitise(markup: str) -> str:
    """Make an HTML body safe to show: no scripts, forms, frames, handlers, styles sheets or remote loads.

    Images survive only with a ``cid:`` source or a raster ``data:image/...`` one; links keep http(s),
    mailto and tel targets and get rel="noopener noreferrer nofollow". Absurdly deep markup is reduced
    to its text, escaped.
    """
    if html_nesting_depth(markup) > MAX_HTML_DEPTH:
        # No mail client writes this; show the words without the markup rather than stall the worker.
        return "<p>" + html.escape(html_to_text(markup)).replace("\n", "<br>") + "</p>"
    cleaned = nh3.clean(
        markup,
        tags=_HTML_TAGS,
        clean_content_tags={"script", "style", "title", "head", "template", "noscript", "textarea", "select"},
        attributes=_HTML_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        url_relative="deny",
        filter_style_properties=_STYLE_PROPERTIES,
    )
    return _IMG_TAG.sub(lambda found: found.group(0) if " src=" in found.group(0) else "", cleaned).strip()


# --- automated mail --------------------------------------------------------------------------------------

_AUTO_SUBJECT = re.compile(
    r"^\s*(?:auto:|automatic reply|auto[- ]?reply|auto[- ]?response|out of (?:the )?office|undeliverable|"
    r"undelivered mail|delivery status notification|delivery failure|mail delivery failed|returned mail|"
    r"自动回复|自动答复|系统退信|退信|休假回复|不在办公室)(?=$|[\s:：(（\[【])",
    re.IGNORECASE,
)
_DAEMON_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster"})


def _automated_reason(message: Message, subject: str, from_address: str) -> str:
    content_type = message.get_content_type()
    report_type = str(message.get_param("report-type") or "").lower()
    if (content_type == "multipart/report" and report_type == "delivery-status") or (
        from_address.partition("@")[0] in _DAEMON_LOCAL_PARTS
    ):
        return "bounce"
    auto_submitted = _collapse(_header(message, "auto-submitted")).lower()
    if auto_submitted and auto_submitted != "no":
        return "auto-submitted"
    suppress = {token.strip().lower() for token in _header(message, "x-auto-response-suppress").split(",")}
    if (
        _header(message, "x-autoreply")
        or _header(message, "x-autorespond")
        or suppress & {"all", "oof", "autoreply"}
        or (content_type == "multipart/report" and report_type == "disposition-notification")
    ):
        return "auto-reply"
    precedence = _collapse(_header(message, "precedence")).lower()
    if precedence in {"list", "bulk"} and (
        _header(message, "list-id") or _header(message, "list-unsubscribe")
    ):
        return "list"
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return "precedence"
    if _AUTO_SUBJECT.match(subject):
        return "auto-reply"
    if message.get("return-path") is not None and _header(message, "return-path").strip() == "<>":
        # A null reverse path is how mail systems sign what they generate (RFC 5321 section 4.5.5).
        return "mailer-daemon"
    return ""


# --- the parser ----------------------------------------------------------------------------------------

_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")


def _header_block_repair(raw: bytes) -> bytes:
    """Drop stray lines without a colon from inside the header block.

    The stdlib parser takes such a line for the start of the body and loses every header after it; broken
    mailers emit them often enough to matter. Only lines followed by further headers are dropped, so a
    message whose body simply lacks the blank separator line is left alone.
    """
    separator = re.search(rb"\r?\n\r?\n", raw)
    if separator is None:
        return raw
    lines = raw[: separator.start()].splitlines(keepends=True)
    if not lines or not _HEADER_LINE.match(lines[0]):
        return raw
    is_header = [bool(_HEADER_LINE.match(line)) or line[:1] in (b" ", b"\t") for line in lines]
    if all(is_header):
        return raw
    last_header = max(index for index, valid in enumerate(is_header) if valid)
    kept = [line for index, line in enumerate(lines) if is_header[index] or index > last_header]
    return b"".join(kept) + raw[separator.start() :]


class _RawHeaderPolicy(email.policy.Compat32):
    """compat32, minus the replacement characters it puts in place of raw 8-bit header bytes.

    Keeping the surrogate escapes lets a raw UTF-8 subject or a raw GBK file name (Foxmail, old Outlook)
    be decoded here instead of being lost.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


_POLICY = _RawHeaderPolicy()


# --- the entry point -------------------------------------------------------------------------------------


def message_parse(raw: bytes) -> ParsedMessage:
    """Parse one inbound message from its RFC 5322 bytes.

    Raises MessageParseError when the bytes are not an e-mail at all; a malformed but recognisable message
    parses with whatever could be read.
    """
    raw = bytes(raw)
    if not raw.strip():
        raise MessageParseError("The message is empty.")
    try:
        message = email.parser.BytesParser(policy=_POLICY).parsebytes(_header_block_repair(raw))
    except Exception as error:  # any parser failure means the bytes are unreadable
        raise MessageParseError("The bytes are not an e-mail message.") from error
    header_names = {str(name).lower() for name in message.keys()}
    if not header_names & _MESSAGE_HEADERS:
        raise MessageParseError("The bytes have no e-mail headers.")

    message_ids = _message_ids(_header(message, "message-id"))
    has_message_id = bool(message_ids)
    message_id = message_ids[0] if message_ids else "sha256-" + hashlib.sha256(raw).hexdigest()

    subject = _collapse(header_decode(_header(message, "subject")))
    senders = _addresses(message, "from")
    from_name, from_address = senders[0] if senders else ("", "")
    reply_to = _addresses(message, "reply-to")

    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    dropped = 0
    for part in _leaves(message):
        content_type = part.get_content_type()
        is_body_type = (
            content_type in {"text/plain", "text/html"} or part.get_content_maintype() == "multipart"
        )
        if is_body_type and not _is_attachment(part):
            (htmls if content_type == "text/html" else texts).append(_part_text(part))
            continue
        if len(attachments) >= MAX_ATTACHMENTS:
            dropped += 1
            continue
        content_id = _WHITESPACE.sub("", _unescape_raw(_header(part, "content-id"))).strip("<>")
        attachments.append(
            ParsedAttachment(
                filename=filename_sanitise(_raw_filename(part), content_type),
                content_type=content_type,
                content=_payload_bytes(part),
                content_id=content_id,
            )
        )

    markup = _normalise_text("\n".join(htmls))
    text = _normalise_text("\n".join(texts))
    if not text.strip() and markup.strip():
        # Some clients send an empty text alternative next to the real HTML one.
        text = _normalise_text(html_to_text(markup))

    return ParsedMessage(
        message_id=message_id,
        has_message_id=has_message_id,
        in_reply_to=_message_ids(_header(message, "in-reply-to")),
        references=_message_ids(_header(message, "references")),
        subject=subject,
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to[0][1] if reply_to else "",
        to=tuple(address for _name, address in _addresses(message, "to")),
        cc=tuple(address for _name, address in _addresses(message, "cc")),
        date=_date(_header(message, "date")),
        text=text,
        html=html_sanitise(markup) if markup.strip() else "",
        attachments=tuple(attachments),
        automated=_automated_reason(message, subject, from_address),
        attachments_dropped=dropped,
    )


# --- replies and case numbers ----------------------------------------------------------------------------

_QUOTE_SEPARATORS = re.compile(
    r"^\s*-{2,}\s*(?:original message|原始邮件|回复的原邮件)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_RULE_LINE = re.compile(r"^\s*_{10,}\s*$")
_ON_WROTE = re.compile(r"^\s*on\b.{0,300}\bwrote:\s*$", re.IGNORECASE)
_FROM_LINE = re.compile(r"^\s*\**(?:from|发件人)\s*\**\s*[:：]", re.IGNORECASE)
_SENT_LINE = re.compile(r"^\s*\**(?:sent|date|发送时间|时间|日期)\s*\**\s*[:：]", re.IGNORECASE)


def _is_chinese_attribution(line: str) -> bool:
    # "在 2026年1月5日 10:00，张三 <a@b> 写道：" or "张三 于 2026-01-05 写道:"; the date's digits
    # tell it apart from prose such as "他在信中写道：".
    line = line.strip()
    return (
        len(line) < 400
        and line.endswith(("写道:", "写道："))
        and ("在" in line or "于" in line)
        and any(char.isdigit() for char in line)
    )


def _history_start(lines: list[str]) -> int | None:
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">") or _QUOTE_SEPARATORS.match(line) or _is_chinese_attribution(line):
            return index
        if _ON_WROTE.match(line):
            return index
        # Gmail wraps a long attribution: "On Mon, ... Zhang San <" / "zhang@example.com> wrote:".
        if line.lstrip().lower().startswith("on ") and index + 1 < len(lines):
            if _ON_WROTE.match(line + " " + lines[index + 1].strip()):
                return index
        if _FROM_LINE.match(line) and any(_SENT_LINE.match(later) for later in lines[index + 1 : index + 4]):
            # Outlook draws a rule of underscores above the block; it belongs to the history.
            if index and _RULE_LINE.match(lines[index - 1]):
                return index - 1
            return index
    return None


def reply_split(text: str) -> tuple[str, str]:
    """Split a reply into (the new text, the quoted history), so the UI can fold the history away.

    Recognises '>' quotes, "On ... wrote:", "在/于 ... 写道：", Original Message / 原始邮件 separators and
    Outlook header blocks (From:/Sent:, 发件人：/发送时间：). The new text is stripped; when nothing is
    recognised the history is ''. A forwarded message is not history: it is what the sender wants read.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = _history_start(lines)
    if start is None:
        return text.strip(), ""
    return "\n".join(lines[:start]).strip(), "\n".join(lines[start:]).strip()


_CASE_NUMBER = re.compile(r"(?<![A-Za-z0-9-])([A-Z][A-Z0-9]{0,9}-\d{4}-\d{6,})(?![0-9])")


def case_numbers_in(subject: str) -> tuple[str, ...]:
    """Case numbers like TS-2026-000123 found in a subject, in order, deduplicated.

    Any upper-case prefix is accepted, since the prefix is a setting this pure module does not read.
    """
    return tuple(dict.fromkeys(_CASE_NUMBER.findall(subject)))
