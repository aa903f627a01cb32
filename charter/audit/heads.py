"""The exported head of the audit chain: one line, `<sequence> <hash> <time> <signature>`, where the
signature is the HMAC-SHA256 under CHARTER_AUDIT_KEY of the three fields before it (space-separated).

Appended to a file (or mailed) outside the database, such a line pins the chain as it was: a later rewrite
of history, even by someone who can write every table, no longer ends in the exported hash.
"""

import dataclasses
import datetime as dt
import hmac

from charter.audit.models import audit_mac


@dataclasses.dataclass(frozen=True)
class ExportedHead:
    sequence: int
    hash: str
    exported_at: str
    signature: str

    def signed_text(self) -> str:
        return f"{self.sequence} {self.hash} {self.exported_at}"

    def is_signed(self) -> bool:
        """True when the signature was made with this installation's audit key."""
        return hmac.compare_digest(audit_mac(self.signed_text()), self.signature)


class HeadLineError(ValueError):
    """The text is not an exported head line."""


def head_make(*, sequence: int, hash: str, at: dt.datetime) -> ExportedHead:
    stamp = at.astimezone(dt.UTC).isoformat(timespec="seconds")
    text = f"{sequence} {hash} {stamp}"
    return ExportedHead(sequence=sequence, hash=hash, exported_at=stamp, signature=audit_mac(text))


def head_line(head: ExportedHead) -> str:
    return f"{head.signed_text()} {head.signature}"


def head_line_parse(line: str) -> ExportedHead:
    parts = line.split()
    if len(parts) != 4 or not parts[0].isdigit() or len(parts[1]) != 64 or len(parts[3]) != 64:
        raise HeadLineError(f"not an audit head line: {line[:200]!r}")
    return ExportedHead(sequence=int(parts[0]), hash=parts[1], exported_at=parts[2], signature=parts[3])


def head_last_line(text: str) -> ExportedHead:
    """The last head line of an export file's text."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise HeadLineError("the file holds no audit head line")
    return head_line_parse(lines[-1])
