"""AES-256-GCM encryption of personal data with versioned keys, and HMAC blind indexes.

A stored value reads `v1.<key id>.<base64(nonce ‖ ciphertext ‖ tag)>`. The key id says which of the configured
keys (settings.CHARTER_DATA_KEYS, the first one current) decrypts it, so old values stay readable after a new
key is put first; `manage.py rotate_keys` re-encrypts them. The associated data binds a value to its
column, so a ciphertext copied into another column does not decrypt.
"""

import base64
import hashlib
import hmac
import os
import re
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

PREFIX = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: unknown key id, wrong column or tampered bytes."""


def current_key_id() -> str:
    """Return the id of the key new values are encrypted with."""
    return next(iter(settings.CHARTER_DATA_KEYS))


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt `plaintext` for the column named by `context` with the current key."""
    key_id = current_key_id()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(settings.CHARTER_DATA_KEYS[key_id]).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}.{key_id}.{base64.b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str:
    """Return the key id a stored value was encrypted with."""
    parts = token.split(".", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("not an encrypted value")
    return parts[1]


def decrypt(token: str, *, context: str) -> str:
    """Decrypt a stored value of the column named by `context`."""
    key_id = key_id_of(token)
    key = settings.CHARTER_DATA_KEYS.get(key_id)
    if key is None:
        raise DecryptionError(f"key {key_id!r} is not configured in CHARTER_DATA_KEYS")
    raw = base64.b64decode(token.split(".", 2)[2])
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except InvalidTag as error:
        raise DecryptionError("value was altered or belongs to another column") from error
    return plain.decode()


def normalise(value: str, kind: str) -> str:
    """Bring a value to the form its blind index is computed on, so equal values index equally."""
    text = unicodedata.normalize("NFKC", value).strip()
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        # A mainland mobile number written with its country code is the same number.
        if len(digits) == 13 and digits.startswith("86"):
            digits = digits[2:]
        return digits
    if kind == "email":
        return text.lower()
    if kind == "id_number":
        return text.replace(" ", "").upper()
    return text.casefold()


def blind_index(value: str, *, context: str, kind: str = "text") -> str:
    """Return the keyed HMAC-SHA256 of a normalised value: an exact-match index that reveals nothing."""
    normalised = normalise(value, kind)
    if not normalised:
        return ""
    message = f"{context}\x00{normalised}".encode()
    return hmac.new(settings.CHARTER_BLIND_INDEX_KEY, message, hashlib.sha256).hexdigest()
