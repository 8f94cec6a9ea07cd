"""Sign-in cards: a printed one-time code with which a trainee without a login makes one (a password)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation import audit, typed_codes
from foundation.audit import Actor
from foundation.clock import utcnow
from foundation.columns import row_id
from foundation.errors import InvalidInput, LinkInvalid
from foundation.i18n import N_
from foundation.roles import Role
from people.models import CARD_LIFETIME, SignInCard, Trainee, User, UserRole, normalise_phone
from people.services.auth import hash_password, hash_token

CODE_LENGTH = 12  # 12 characters x 5 bits = 60 bits: guessing one of a few thousand live cards stays hopeless
UNKNOWN = N_("No sign-in card has this code. Check the code on your card and type it again.")
USED = N_("This sign-in card has already been used. Sign in with your phone number and password.")
EXPIRED = N_("This sign-in card has expired. Ask your trainer for a new one.")
REPLACED = N_("This sign-in card was replaced by a newer one. Use the newest card your trainer gave you.")


@dataclass(frozen=True)
class IssuedCard:
    """What one printed card says; `code` exists only here and on paper (the database keeps its hash)."""

    trainee_id: int
    name_km: str
    name_latin: str
    code: str
    expires_at: datetime


def card_code(typed: str) -> str | None:
    """The stored form of a typed or scanned code (spaces, dashes, lower case forgiven); None if not one."""
    return typed_codes.normalise(typed, CODE_LENGTH)


async def trainees_without_login(session: AsyncSession, trainee_ids: Sequence[int]) -> list[Trainee]:
    """Those of these trainees who have no login yet, by Latin name."""
    has_login = select(User.trainee_id).where(col(User.trainee_id).is_not(None))
    query = (
        select(Trainee)
        .where(col(Trainee.id).in_(list(trainee_ids)), col(Trainee.id).not_in(has_login))
        .order_by(col(Trainee.name_latin), col(Trainee.id))
    )
    return list((await session.execute(query)).scalars())


async def _void_unused(session: AsyncSession, trainee_ids: Sequence[int], now: datetime) -> None:
    """The trainees' cards not used yet stop working (a newer card was printed, or one was used)."""
    await session.execute(
        update(SignInCard)
        .where(
            col(SignInCard.trainee_id).in_(list(trainee_ids)),
            col(SignInCard.used_at).is_(None),
            col(SignInCard.voided_at).is_(None),
        )
        .values(voided_at=now)
    )


async def issue_cards(session: AsyncSession, actor: Actor, trainee_ids: Sequence[int]) -> list[IssuedCard]:
    """A fresh card for each of these trainees who has no login; their earlier unused cards stop working."""
    trainees = await trainees_without_login(session, trainee_ids)
    now = utcnow()
    await _void_unused(session, [row_id(t) for t in trainees], now)
    cards = []
    for trainee in trainees:
        code = typed_codes.new_code(CODE_LENGTH)
        card = SignInCard(
            code_hash=hash_token(code),
            trainee_id=row_id(trainee),
            issued_by=actor.user_id,
            created_at=now,
            expires_at=now + CARD_LIFETIME,
        )
        session.add(card)
        audit.record(
            session,
            actor,
            "trainee.sign_in_card_issued",
            trainee,
            None,
            {"expires_at": card.expires_at.isoformat()},
        )
        cards.append(IssuedCard(row_id(trainee), trainee.name_km, trainee.name_latin, code, card.expires_at))
    return cards


async def _valid_card(session: AsyncSession, typed: str) -> SignInCard:
    code = card_code(typed)
    card = None if code is None else await session.get(SignInCard, hash_token(code))
    if card is None:
        raise LinkInvalid(UNKNOWN)
    if card.used_at is not None:
        raise LinkInvalid(USED)
    if card.voided_at is not None:
        raise LinkInvalid(REPLACED)
    if card.expires_at <= utcnow():
        raise LinkInvalid(EXPIRED)
    if await _free(session, User.trainee_id, card.trainee_id) is None:
        raise LinkInvalid(USED)  # an administrator made the trainee a login meanwhile
    return card


async def card_holder(session: AsyncSession, typed: str) -> Trainee:
    """The trainee a valid card is for; LinkInvalid says why a card no longer works."""
    card = await _valid_card(session, typed)
    trainee = await session.get(Trainee, card.trainee_id)
    assert trainee is not None
    return trainee


async def _free(session: AsyncSession, column: Any, value: Any) -> Any:
    """The value if no login has it yet (an email, a phone number, a trainee record), else None."""
    if value is None:
        return None
    return None if (await session.execute(select(User.id).where(column == value))).first() else value


async def _sign_in_phone(
    session: AsyncSession, typed: str, trainee: Trainee, email: str | None
) -> str | None:
    """The phone number the new login signs in with: as typed (any common form) or the trainee's own."""
    try:
        phone = normalise_phone(typed.strip() or trainee.phone)
    except ValueError as wrong:
        raise InvalidInput({"phone": str(wrong)}) from None
    if phone is None and email is None:
        raise InvalidInput({"phone": N_("Write your phone number: you will sign in with it.")})
    if phone is not None and await _free(session, User.phone, phone) is None:
        raise InvalidInput({"phone": N_("Another login already has this phone number. Ask your trainer.")})
    return phone


async def use_card(
    session: AsyncSession, typed: str, *, phone: str, password: str, repeat: str, ip: str
) -> User:
    """Create the trainee's login from a valid card: the phone number (or the trainee's email) to sign in
    with and a chosen password; the card is used up and the trainee's other cards stop working."""
    card = await _valid_card(session, typed)
    trainee = await session.get(Trainee, card.trainee_id)
    assert trainee is not None
    if password != repeat:
        raise InvalidInput({"repeat": N_("The two passwords differ.")})
    email = await _free(session, User.email, trainee.email)
    user = User(
        email=email,
        phone=await _sign_in_phone(session, phone, trainee, email),
        display_name=trainee.name_latin,
        password_hash=await hash_password(password, trainee.name_latin, email, phone),
        trainee_id=card.trainee_id,
    )
    session.add(user)
    await session.flush()
    session.add(UserRole(user_id=row_id(user), role=Role.trainee.value))
    card.used_at = utcnow()
    await session.flush()  # used before the trainee's other unused cards are voided
    await _void_unused(session, [card.trainee_id], card.used_at)
    after = audit.snapshot(user, roles=[Role.trainee])
    audit.record(session, Actor(user.id, ip), "user.create_by_sign_in_card", user, None, after)
    return user
