"""PII at rest: AES-GCM encryption under a keyring kept apart from SECRET_KEY, and
keyed hashes (HMAC-SHA256) for the exact look-ups encryption takes away.

A stored value is "v1:<key id>:<base64url(nonce | ciphertext | tag)>": the key id
travels with each value, so the active key can change at any time and older values
stay readable until `manage.py pii_rotate_key` has re-encrypted them. Nonces are
random (96 bits), so equal values encrypt differently: equality goes through the
hash columns (`pii_hash`), never through the ciphertext.

Settings (collections_app/settings.py): PII_KEYS or PII_KEY_FILE, PII_ACTIVE_KEY_ID,
PII_HMAC_KEY. DEBUG and the tests use fixed development keys that are public.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

PREFIX = "v1:"
NONCE_BYTES = 12

# Public development keys (DEBUG and tests only; the system check refuses them in
# production). Two ids, so rotation is exercised in development too.
DEVELOPMENT_KEYS = (
    "dev1:" + base64.b64encode(b"development-pii-key-not-secret!!").decode()
)
DEVELOPMENT_HMAC_KEY = base64.b64encode(b"development-pii-hmac-not-secret!").decode()


class PIIKeyError(ImproperlyConfigured):
    """The keyring is missing, malformed, or lacks the key a value names."""


def _decode_key(text: str, *, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PIIKeyError(f"{what} is not valid base64.") from exc
    if len(raw) != 32:
        raise PIIKeyError(f"{what} must be 32 bytes (base64 of 32 random bytes).")
    return raw


def parse_keys(text: str) -> dict[str, bytes]:
    """Parse "k2:<b64>,k1:<b64>" (commas or new lines) into {id: key}, in order."""
    keys: dict[str, bytes] = {}
    for entry in text.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, sep, material = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not key_id or not key_id.isalnum():
            raise PIIKeyError(
                "PII_KEYS entries are <id>:<base64 key>, the id letters and digits."
            )
        if key_id in keys:
            raise PIIKeyError(f"PII key id {key_id} is listed twice.")
        keys[key_id] = _decode_key(material, what=f"PII key {key_id}")
    return keys


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, AESGCM]
    active_id: str
    hmac_key: bytes
    development: bool

    def encrypt(self, text: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.keys[self.active_id].encrypt(nonce, text.encode(), None)
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"{PREFIX}{self.active_id}:{body}"

    def decrypt(self, stored: str) -> str:
        try:
            _v, key_id, body = stored.split(":", 2)
        except ValueError as exc:
            raise PIIKeyError("Malformed encrypted value.") from exc
        aead = self.keys.get(key_id)
        if aead is None:
            raise PIIKeyError(
                f"A value is encrypted under PII key {key_id}, which is not in the "
                "keyring (PII_KEYS / PII_KEY_FILE)."
            )
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()
        except InvalidTag as exc:
            raise PIIKeyError(
                f"A value does not verify under PII key {key_id}."
            ) from exc

    def hash(self, purpose: str, text: str) -> str:
        """Keyed hash for exact look-ups; "" for "" (blank matches nothing)."""
        if not text:
            return ""
        return hmac.new(
            self.hmac_key, f"{purpose}\x00{text}".encode(), hashlib.sha256
        ).hexdigest()


def _load() -> Keyring:
    text = getattr(settings, "PII_KEYS", "") or ""
    key_file = getattr(settings, "PII_KEY_FILE", "") or ""
    if key_file:
        try:
            text = Path(key_file).read_text()
        except OSError as exc:
            raise PIIKeyError(f"PII_KEY_FILE {key_file} cannot be read.") from exc
    hmac_text = getattr(settings, "PII_HMAC_KEY", "") or ""
    development = False
    if not text and getattr(settings, "PII_DEVELOPMENT_KEYS", False):
        text, development = DEVELOPMENT_KEYS, True
    if not hmac_text and getattr(settings, "PII_DEVELOPMENT_KEYS", False):
        hmac_text = DEVELOPMENT_HMAC_KEY
    if not text:
        raise PIIKeyError("PII_KEYS or PII_KEY_FILE must be set outside DEBUG.")
    if not hmac_text:
        raise PIIKeyError("PII_HMAC_KEY must be set outside DEBUG.")
    keys = parse_keys(text)
    if not keys:
        raise PIIKeyError("PII_KEYS names no key.")
    active = getattr(settings, "PII_ACTIVE_KEY_ID", "") or next(iter(keys))
    if active not in keys:
        raise PIIKeyError(f"PII_ACTIVE_KEY_ID {active} is not in the keyring.")
    hmac_key = _decode_key(hmac_text, what="PII_HMAC_KEY")
    if hmac_key in keys.values():
        raise PIIKeyError("PII_HMAC_KEY must differ from every encryption key.")
    return Keyring(
        keys={k: AESGCM(v) for k, v in keys.items()},
        active_id=active,
        hmac_key=hmac_key,
        development=development,
    )


_keyring: Keyring | None = None


def keyring() -> Keyring:
    global _keyring
    if _keyring is None:
        _keyring = _load()
    return _keyring


def _reset(*, setting: str, **kwargs) -> None:
    global _keyring
    if setting.startswith("PII_"):
        _keyring = None


setting_changed.connect(_reset, dispatch_uid="core.crypto.reset")


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


def encrypt(text: str | None) -> str | None:
    """Ciphertext of `text`; None and "" stay as they are (emptiness is not secret)."""
    if not text:
        return text
    return keyring().encrypt(text)


def decrypt(stored: str | None) -> str | None:
    """Plain text of a stored value; a value written before encryption (no prefix)
    comes back as it is, so the migration can run on a live table."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    return keyring().decrypt(stored)


def key_id_of(stored: str | None) -> str | None:
    if not is_encrypted(stored):
        return None
    return stored.split(":", 2)[1]


def pii_hash(purpose: str, text: str | None) -> str:
    return keyring().hash(purpose, text or "")


def generate_key() -> str:
    """A new random key, base64 (for PII_KEYS entries and PII_HMAC_KEY)."""
    return base64.b64encode(os.urandom(32)).decode()


def contact_hash(value: str | None) -> str:
    """The look-up hash of a contact value (phone in E.164, email lower-cased): a
    contact point's value_hash and an attempt's contact_value_hash."""
    return pii_hash("contact", value)


def national_id_hash(value: str | None) -> str:
    return pii_hash("national_id", value)
