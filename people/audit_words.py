"""What the audit log calls people's records (users, trainees, organisations), their actions and fields."""

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from foundation.audit_words import FieldWords, Named, RecordType, Vocabulary, in_language
from foundation.i18n import N_
from foundation.roles import ROLE_NAMES
from people.models import Organisation, Trainee, User

SEX_NAMES = {"female": N_("Female"), "male": N_("Male")}
ORGANISATION_KIND_NAMES = {"government": N_("Government"), "ngo": N_("NGO"), "other": N_("Other")}
TOKEN_PURPOSES = ("invite", "reset")  # UserToken.purpose: "user.password_set_by_<purpose>"


async def user_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    rows = await session.execute(select(col(User.id), col(User.display_name)).where(col(User.id).in_(ids)))
    return {row.id: Named(row.display_name, f"/admin/users/{row.id}") for row in rows}


async def trainee_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(col(Trainee.id), col(Trainee.name_km), col(Trainee.name_latin)).where(
        col(Trainee.id).in_(ids)
    )
    rows = await session.execute(query)
    return {
        row.id: Named(in_language(row.name_km, row.name_latin), f"/admin/trainees/{row.id}") for row in rows
    }


async def organisation_names(session: AsyncSession, ids: Collection[int]) -> Mapping[int, Named]:
    query = select(col(Organisation.id), col(Organisation.name_km), col(Organisation.name_en))
    rows = await session.execute(query.where(col(Organisation.id).in_(ids)))
    return {
        row.id: Named(in_language(row.name_km, row.name_en), f"/admin/organisations/{row.id}") for row in rows
    }


VOCABULARY = Vocabulary(
    record_types=(
        RecordType("user_account", N_("User"), user_names),
        RecordType("trainee", N_("Trainee"), trainee_names),
        RecordType("organisation", N_("Organisation"), organisation_names),
    ),
    actions={
        "user.create": N_("User invited"),
        "user.update": N_("User changed"),
        "user.password_reset": N_("Password reset sent"),
        "user_account.deactivate": N_("User deactivated"),
        "user_account.reactivate": N_("User reactivated"),
        "user.password_set_by_invite": N_("Password set from an invitation"),
        "user.create_by_sign_in_card": N_("Login made with a sign-in card"),
        "trainee.sign_in_card_issued": N_("Sign-in card printed"),
        "user.password_set_by_reset": N_("Password set from a reset link"),
        "user.password_change": N_("Password changed by its owner"),
        "trainee.create": N_("Trainee added"),
        "trainee.update": N_("Trainee changed"),
        "trainee.deactivate": N_("Trainee deactivated"),
        "trainee.reactivate": N_("Trainee reactivated"),
        "organisation.create": N_("Organisation added"),
        "organisation.update": N_("Organisation changed"),
        "organisation.deactivate": N_("Organisation deactivated"),
        "organisation.reactivate": N_("Organisation reactivated"),
    },
    fields={
        "email": FieldWords(N_("Email")),
        "display_name": FieldWords(N_("Name")),
        "language": FieldWords(N_("Language"), values={"km": N_("Khmer"), "en": N_("English")}),
        "roles": FieldWords(N_("Roles"), values=ROLE_NAMES),
        "active": FieldWords(N_("Active")),
        "last_login_at": FieldWords(N_("Last sign-in")),
        "name_km": FieldWords(N_("Name in Khmer")),
        "name_latin": FieldWords(N_("Name in Latin letters")),
        "name_en": FieldWords(N_("Name in English")),
        "sex": FieldWords(N_("Sex"), values=SEX_NAMES),
        "date_of_birth": FieldWords(N_("Date of birth")),
        "phone": FieldWords(N_("Phone")),
        "position": FieldWords(N_("Position")),
        "commune_code": FieldWords(N_("Commune")),
        "organisation.kind": FieldWords(N_("Kind"), values=ORGANISATION_KIND_NAMES),
        "trainee_id": FieldWords(N_("Trainee"), refers_to="trainee"),
        "organisation_id": FieldWords(N_("Organisation"), refers_to="organisation"),
        "user_id": FieldWords(N_("User"), refers_to="user_account"),
    },
)
