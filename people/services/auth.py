"""Sign-in: argon2 passwords, database-backed sessions, throttling, and one-time links."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, partial
from typing import Any

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select
from zxcvbn import zxcvbn

from foundation import audit
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.errors import InvalidInput, LinkInvalid, SignInRefused, TooManyAttempts
from foundation.i18n import N_
from foundation.roles import Role
from people.models import (
    LINK_LIFETIME,
    LoginFailure,
    TokenPurpose,
    User,
    UserRole,
    UserToken,
    WebSession,
    normalise_phone,
)

password_hasher = PasswordHasher()
# Argon2 runs in worker threads, this many at a time (NISA_PASSWORD_HASH_THREADS, set at start-up): a burst of
# sign-ins neither stalls the event loop nor takes every core.
_hashing_slots = anyio.CapacityLimiter(2)
SESSION_REFRESH = timedelta(minutes=5)
MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_STRENGTH = 3  # zxcvbn's score, 0 to 4: 3 is "safely unguessable" by an online attacker and more
TOO_EASY = N_("This password is too easy to guess. Use a few unrelated words or a longer phrase.")
MAX_CHECKED_LENGTH = 100  # zxcvbn's time grows with the length; what follows adds strength anyway


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as the web tier sees it."""

    id: int
    email: str | None
    display_name: str
    roles: frozenset[str]
    trainee_id: int | None
    language: str
    session_hash: str

    def has_role(self, *roles: Role | str) -> bool:
        return any(str(role) in self.roles for role in roles)


@dataclass(frozen=True)
class Throttle:
    """Failed sign-ins allowed in each window: per account from one address (so nobody elsewhere can lock the
    account out), and per address across accounts."""

    max_per_account: int
    max_per_ip: int
    window: timedelta


@dataclass(frozen=True)
class Attempt:
    """A sign-in admitted by the throttle: its reservation already counts as a failure until it succeeds."""

    column: Any
    account: str
    ip: str


def limit_concurrent_hashes(threads: int) -> None:
    _hashing_slots.total_tokens = threads


async def _off_the_loop(work: Any, *args: Any) -> Any:
    return await anyio.to_thread.run_sync(partial(work, *args), limiter=_hashing_slots)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_strength(password: str, *known: str | None) -> None:
    """Refuse a short password, a common one (zxcvbn's lists) or one guessable from what is known of the
    account (`known`: its name, email, phone)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput({"password": N_("Use at least 10 characters.")})
    inputs = [word for value in known if value for word in _words_of(value) if word]
    if zxcvbn(password[:MAX_CHECKED_LENGTH], user_inputs=inputs)["score"] < MIN_PASSWORD_STRENGTH:
        raise InvalidInput(
            {
                "password": N_(
                    "This password is too easy to guess. Use a few unrelated words or a longer phrase."
                )
            }
        )


def _words_of(value: str) -> list[str]:
    """What someone guessing would try from a name or address: as is, run together, and word by word."""
    words = re.split(r"[\s@.+_-]+", value)
    return [value, "".join(words), *words]


async def hash_password(password: str, *known: str | None) -> str:
    """A new password's hash, once check_strength accepts it (see there for `known`)."""
    check_strength(password, *known)
    return str(await _off_the_loop(password_hasher.hash, password))


@cache
def _unknown_account_hash(hasher: PasswordHasher) -> str:
    """Verified against when there is no password to check (no such account, or one without a password), so
    that costs what a wrong password costs: made by the hasher in use, with its parameters. Made at first use,
    not at import: a hash takes a tenth of a second, which every start of the app would pay."""
    return hasher.hash(secrets.token_urlsafe(16))


def _verify(hasher: PasswordHasher, password_hash: str | None, password: str) -> bool:
    """Exactly one argon2 verification, whether or not there is a hash to check."""
    try:
        return hasher.verify(password_hash or _unknown_account_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


async def _password_matches(password_hash: str | None, password: str) -> bool:
    return bool(await _off_the_loop(_verify, password_hasher, password_hash, password))


async def _recent_failures(session: AsyncSession, since: datetime, *conditions: Any) -> int:
    query = select(func.count()).select_from(LoginFailure).where(col(LoginFailure.at) >= since, *conditions)
    return (await session.execute(query)).scalar_one()


def _account(typed: str) -> tuple[Any, str]:
    """The column and value that find the account: an email, or a phone number in any common form
    (012 345 678, +855 12 345 678, Khmer digits). Text that is neither finds no account, by the same path."""
    typed = typed.strip()
    if "@" in typed:
        return User.email, typed.lower()
    try:
        return User.phone, normalise_phone(typed) or ""
    except ValueError:
        return User.phone, typed


async def _serialise_admission(session: AsyncSession, ip: str) -> None:
    """Attempts from one address are admitted one at a time, across every instance of the app. PostgreSQL: a
    transaction-scoped advisory lock on the address. SQLite: the reservation's insert, which comes first,
    takes the database's write lock until the commit."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": ip})


async def admit_attempt(session: AsyncSession, typed_account: str, ip: str, throttle: Throttle) -> Attempt:
    """Reserve one sign-in attempt, counted with the failures before it in the same transaction, or raise
    TooManyAttempts (the caller rolls back: a refused attempt is not counted).

    The reservation is a failure until the password proves right. The caller commits it before the password
    is checked, so parallel attempts, here or on another instance, count it: N at once never get more than
    the limit checked."""
    column, account = _account(typed_account)
    await _serialise_admission(session, ip)
    session.add(LoginFailure(account=account, ip=ip))
    await session.flush()
    since = utcnow() - throttle.window
    pair = (col(LoginFailure.account) == account, col(LoginFailure.ip) == ip)
    if (
        await _recent_failures(session, since, *pair) > throttle.max_per_account
        or await _recent_failures(session, since, col(LoginFailure.ip) == ip) > throttle.max_per_ip
    ):
        raise TooManyAttempts(
            N_("Too many failed sign-ins. Wait %(minutes)d minutes and try again."),
            minutes=int(throttle.window.total_seconds() // 60),
        )
    return Attempt(column, account, ip)


async def sign_in(
    session: AsyncSession, attempt: Attempt, password: str, *, user_agent: str, hours: int
) -> tuple[str, User]:
    """Check the password of an admitted attempt and open a session; returns the new session token (for the
    cookie) and user.

    An unknown account, an inactive one and a wrong password cost the same (one argon2 verification each) and
    raise the same SignInRefused; the attempt's reservation stays as the failure."""
    user = (await session.execute(select(User).where(attempt.column == attempt.account))).scalar_one_or_none()
    matches = await _password_matches(user.password_hash if user else None, password)
    if user is None or not user.active or not matches:
        raise SignInRefused(N_("Wrong email, phone number or password."))
    if password_hasher.check_needs_rehash(user.password_hash or ""):  # made at an older cost: renewed
        user.password_hash = str(await _off_the_loop(password_hasher.hash, password))
    await session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.account) == attempt.account, col(LoginFailure.ip) == attempt.ip
        )
    )
    return open_session(session, user, ip=attempt.ip, user_agent=user_agent, hours=hours), user


def open_session(session: AsyncSession, user: User, *, ip: str, user_agent: str, hours: int) -> str:
    """A new signed-in session for the user; returns its token (for the cookie), of which only the hash is
    stored."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=hash_token(token),
            user_id=row_id(user),
            expires_at=now + timedelta(hours=hours),
            ip=ip,
            user_agent=user_agent[:300],
        )
    )
    user.last_login_at = now
    return token


async def current_user(session: AsyncSession, token: str, hours: int, max_days: int) -> CurrentUser | None:
    """The user behind a session cookie, in one query; slides the expiry forward now and then (`hours` after
    the last request), never beyond `max_days` after the sign-in."""
    token_hash = hash_token(token)
    now = utcnow()
    query = (
        select(User, col(WebSession.last_seen_at), col(UserRole.role))
        .join(WebSession, col(WebSession.user_id) == User.id)
        .outerjoin(UserRole, col(UserRole.user_id) == User.id)
        .where(
            col(WebSession.token_hash) == token_hash,
            col(WebSession.expires_at) > now,
            col(WebSession.created_at) > now - timedelta(days=max_days),
            col(User.active).is_(True),
        )
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None
    user, last_seen = rows[0][0], rows[0][1]
    if now - last_seen > SESSION_REFRESH:
        await session.execute(
            update(WebSession)
            .where(col(WebSession.token_hash) == token_hash)
            .values(last_seen_at=now, expires_at=now + timedelta(hours=hours))
        )
    return CurrentUser(
        id=row_id(user),
        email=user.email,
        display_name=user.display_name,
        roles=frozenset(role for _, _, role in rows if role),
        trainee_id=user.trainee_id,
        language=user.language,
        session_hash=token_hash,
    )


async def sign_out(session: AsyncSession, session_hash: str) -> None:
    await session.execute(delete(WebSession).where(col(WebSession.token_hash) == session_hash))


async def end_all_sessions(session: AsyncSession, user_id: int) -> None:
    """Sign a user out everywhere (deactivation, password change); the caller commits."""
    await session.execute(delete(WebSession).where(col(WebSession.user_id) == user_id))


async def create_link(session: AsyncSession, user_id: int, purpose: TokenPurpose) -> str:
    """A one-time link token, which voids the user's earlier links; only its hash is stored. The caller
    commits."""
    await void_links(session, user_id)
    token = secrets.token_urlsafe(32)
    session.add(
        UserToken(
            token_hash=hash_token(token),
            user_id=user_id,
            purpose=purpose.value,
            expires_at=utcnow() + LINK_LIFETIME[purpose],
        )
    )
    return token


async def void_links(session: AsyncSession, user_id: int) -> None:
    """The user's unused links stop working: a new link or a new password makes them stale."""
    await session.execute(
        update(UserToken)
        .where(col(UserToken.user_id) == user_id, col(UserToken.used_at).is_(None))
        .values(expires_at=utcnow())
    )


async def _valid_link(session: AsyncSession, token: str) -> UserToken:
    link = await session.get(UserToken, hash_token(token))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise LinkInvalid(N_("This link is not valid any more. Ask an administrator for a new one."))
    return link


async def link_holder(session: AsyncSession, token: str) -> User:
    link = await _valid_link(session, token)
    user = await session.get(User, link.user_id)
    assert user is not None
    return user


async def set_password_with_link(
    session: AsyncSession, token: str, password: str, repeat: str, ip: str
) -> User:
    link = await _valid_link(session, token)
    if password != repeat:
        raise InvalidInput({"repeat": N_("The two passwords differ.")})
    user = await session.get(User, link.user_id)
    assert user is not None
    user.password_hash = await hash_password(password, user.display_name, user.email, user.phone)
    link.used_at = utcnow()
    await void_links(session, link.user_id)
    await end_all_sessions(session, link.user_id)
    audit.record(session, Actor(user.id, ip), f"user.password_set_by_{link.purpose}", user, None, None)
    return user


async def change_password(
    session: AsyncSession, user: CurrentUser, old: str, new: str, repeat: str, ip: str
) -> None:
    """A signed-in user's new password, given the current one; their other sessions end and their unused
    links stop working."""
    account = await session.get(User, user.id)
    assert account is not None
    if not await _password_matches(account.password_hash, old):
        raise InvalidInput({"old_password": N_("This is not your current password.")})
    if new != repeat:
        raise InvalidInput({"repeat": N_("The two passwords differ.")})
    account.password_hash = await hash_password(new, account.display_name, account.email, account.phone)
    await void_links(session, user.id)
    await session.execute(
        delete(WebSession).where(
            col(WebSession.user_id) == user.id, col(WebSession.token_hash) != user.session_hash
        )
    )
    audit.record(session, Actor(user.id, ip), "user.password_change", account, None, None)
