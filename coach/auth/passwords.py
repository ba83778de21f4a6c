"""Password hashes: argon2id (argon2-cffi), with the library's current recommended parameters.

The store keeps only these hashes. Checking a password against no account takes as long as
against a real one (`verify_password(None, ...)`), so a wrong user name and a wrong password
look the same from outside. `weakness` says why a new password is too easy to guess: one
character repeated, or one of the commonest passwords (a short list shipped in
coach/auth/data/common_passwords.txt).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


@cache
def _dummy_hash() -> str:
    """Verified against when a user name is unknown, so both cases take the same time."""
    return _hasher.hash("not a real password, only for timing")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the commonest passwords, lower-case."""
    text = (resources.files("coach.auth") / "data" / "common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def weakness(password: str) -> str | None:
    """Why `password` is too easy to guess for a new account, or None if it is not: one
    character repeated, or one of the commonest passwords (whatever the letter case)."""
    if len(set(password)) <= 1:
        return "must not be one character repeated"
    if password.strip().lower() in common_passwords():
        return "is one of the commonest passwords: choose another"
    return None


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
