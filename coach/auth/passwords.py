"""Password hashes: argon2id (argon2-cffi), with the library's current recommended parameters.

The store keeps only these hashes. Checking a password against no account takes as long as
against a real one (`verify_password(None, ...)`), so a wrong user name and a wrong password
look the same from outside.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified against when a user name is unknown, so both cases take the same time."""
    return _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    """A salted argon2id hash of `password` (a new salt each call)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches the hash; False for a wrong password, a broken hash or no
    hash at all (None: an unknown user, checked against a dummy hash to take as long)."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with older parameters (rehash it at the next sign-in)."""
    return _hasher.check_needs_rehash(password_hash)
