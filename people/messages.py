"""Email about a login: the invitation and the password reset link, and the language each trainee reads."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from foundation.clock import utcnow
from foundation.i18n import N_
from foundation.outbox.kinds import MessageKind
from foundation.outbox.queue import queue
from people.models import LINK_LIFETIME, TokenPurpose, User

USER_INVITED = MessageKind(
    "user_invited", N_("Your account for NISA Training & Certification"), N_("Invitation")
)
PASSWORD_RESET = MessageKind(
    "password_reset", N_("Choose a new password for NISA Training & Certification"), N_("Password reset")
)
KINDS = (USER_INVITED, PASSWORD_RESET)
LINK_KINDS = {
    TokenPurpose.invite: USER_INVITED,
    TokenPurpose.password_reset: PASSWORD_RESET,
}


async def trainee_languages(session: AsyncSession, trainee_ids: Sequence[int]) -> dict[int, str]:
    """The language each trainee chose for their login; trainees without one are not in the answer."""
    rows = await session.execute(
        select(col(User.trainee_id), col(User.language)).where(col(User.trainee_id).in_(list(trainee_ids)))
    )
    return {trainee_id: language for trainee_id, language in rows.all() if trainee_id is not None}


def send_link(session: AsyncSession, user: User, token: str, purpose: TokenPurpose) -> None:
    """Mail a user their one-time link (invitation or password reset), in the caller's transaction.

    The token is the only copy outside the user's mailbox (the database keeps its hash): the sender removes it
    from the row once the message has gone. A login without an email (a phone only) gets nothing: the
    administrator hands the link over.
    """
    if user.email is None:
        return
    queue(
        session,
        LINK_KINDS[purpose],
        user.email,
        user.language,
        {
            "display_name": user.display_name,
            "token": token,
            "expires_at": (utcnow() + LINK_LIFETIME[purpose]).isoformat(),
        },
    )
