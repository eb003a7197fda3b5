"""Ledger keys (台账签名密钥): Ed25519 keys, held outside the database, that sign ledger records and
checkpoints.

A hash chain kept wholly in the database proves nothing against whoever can write the database:
they can append a record with a correctly computed hash, or cut records off the end. A signature
made with a key the database does not hold can be checked by anyone with the public key, and
cannot be made without the private one. The private key is a PEM file (PKCS#8) named in the
settings (``LANDRENEW_LEDGER_KEY_FILE``); earlier keys stay trusted through their public keys
(``LANDRENEW_LEDGER_PUBLIC_KEYS``). Ed25519 is the ``cryptography`` library's; nothing here is
hand-made cryptography.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from landrenew.core.errors import ConfigurationError

#: What a record's signature covers is prefixed with this, so that a signature of one kind of
#: statement can never be replayed as another.
RECORD_CONTEXT = b"landrenew-ledger-record-v1"
CHECKPOINT_CONTEXT = b"landrenew-ledger-checkpoint-v1"


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name of a public key: the first 16 hex digits of its SHA-256."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class LedgerKeys:
    """The key that signs (``None``: this process only verifies) and every trusted public key."""

    signer: Ed25519PrivateKey | None
    trusted: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    @property
    def signing_key_id(self) -> str | None:
        return key_id(self.signer.public_key()) if self.signer else None

    def sign(self, context: bytes, message: bytes) -> tuple[str, str]:
        """(key id, base64 signature) of ``message`` under ``context``."""
        if self.signer is None:
            raise ConfigurationError("no ledger signing key: set LANDRENEW_LEDGER_KEY_FILE",
                                     field="ledger_key_file")
        signature = self.signer.sign(context + b"\n" + message)
        return key_id(self.signer.public_key()), base64.b64encode(signature).decode("ascii")

    def verify(self, context: bytes, message: bytes, kid: str | None,
               signature: str | None) -> str | None:
        """``None`` when the signature is good, else what is wrong with it (in English; the
        callers name the record)."""
        if not kid or not signature:
            return "it is not signed"
        public = self.trusted.get(kid)
        if public is None:
            return f"it is signed with key {kid}, which is not a trusted ledger key"
        try:
            public.verify(base64.b64decode(signature, validate=True), context + b"\n" + message)
        except (InvalidSignature, ValueError):
            return f"its signature (key {kid}) does not match its content"
        return None


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def generate_key_file(path: str | Path) -> tuple[str, str]:
    """Write a new private key (PKCS#8 PEM, readable by its owner only) to ``path``, which must
    not exist; returns (key id, public key PEM) to publish."""
    target = Path(path)
    if target.exists():
        raise ConfigurationError(f"{target} exists; a ledger key is never overwritten",
                                 field="path")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key_id(private.public_key()), public_pem(private.public_key())


def _read(path: str | Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the {what} {path}: {exc.strerror}",
                                 field="ledger_key_file") from None


def load_private(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(_read(path, "ledger key file"), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{path} is not a PEM private key ({exc})",
                                 field="ledger_key_file") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{path} is not an Ed25519 key (make one with "
                                 "`landrenew ledger keygen`)", field="ledger_key_file")
    return key


def load_public(path: str | Path) -> Ed25519PublicKey:
    data = _read(path, "ledger public key")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        key = load_private(path).public_key()  # a private key file also gives its public key
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError(f"{path} is not an Ed25519 public key",
                                 field="ledger_public_keys")
    return key


def load_keys(key_file: str | None, public_files: Sequence[str] | Iterable[str] = ()
              ) -> LedgerKeys | None:
    """The keys the settings name; ``None`` when none is named (records are then unsigned, and
    :func:`landrenew.core.ledger_check.verify` says that the chain alone proves little)."""
    signer = load_private(key_file) if key_file else None
    publics = [load_public(p) for p in public_files]
    if signer is None and not publics:
        return None
    trusted = {key_id(p): p for p in publics}
    if signer is not None:
        trusted[key_id(signer.public_key())] = signer.public_key()
    return LedgerKeys(signer, trusted)
