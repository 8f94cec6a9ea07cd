"""Sign-in cards over HTTP on both databases: printed by the cohort's trainer, used once, within 14 days."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select, update

from courses.models import Competency
from foundation.audit import AuditEntry
from foundation.clock import utcnow
from foundation.roles import Role
from people.models import SignInCard, Trainee, User, UserRole
from people.services.auth import hash_token
from tests.conftest import post_form, sign_in, use_english
from tests.curriculum_factories import make_course, make_framework
from tests.delivery_factories import enrol, make_cohort
from tests.factories import make_trainee, make_user
from tests.unit.test_certificate_pdf import require
from tests.unit.test_sign_in_card_pdf import scanned_links

PASSWORD = "a long new password"


async def _cohort(db, trainer_ids: list[int], trainees: list[Trainee]):  # type: ignore[no-untyped-def]
    framework = await make_framework(db)
    competencies = await db.execute(select(Competency).where(Competency.framework_id == framework.id))
    competency = competencies.scalars().first()
    course = await make_course(db, competency_ids=[competency.id])
    cohort = await make_cohort(db, course, trainer_ids=trainer_ids, sessions=2)
    for trainee in trainees:
        await enrol(db, cohort, trainee)
    return cohort


async def _printed_card_paths(client, cohort_id: int, tmp_path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """Print the cohort's cards and read each card's QR code, as a trainee's phone would: the link paths."""
    response = await post_form(client, f"/cohorts/{cohort_id}/sign-in-cards")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / f"cards-{len(list(tmp_path.iterdir()))}.pdf"
    pdf.write_bytes(response.content)
    return [urlsplit(link).path for link in scanned_links(pdf, 1) if link]


async def _count(db, model) -> int:  # type: ignore[no-untyped-def]
    db.expire_all()
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_trainer_prints_cards_and_a_trainee_makes_a_login_with_one(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    trainer = await make_user(db, [Role.trainer])
    with_login = await make_user(db, [Role.trainee])
    without = [await make_trainee(db, name_latin=f"Chan Dara {'AB'[n]}", phone=None) for n in range(2)]
    cohort = await _cohort(db, [trainer.id], [*without, await db.get(Trainee, with_login.trainee_id)])
    await sign_in(client, trainer.email)
    await use_english(client)
    page = await client.get(f"/cohorts/{cohort.id}/sign-in-cards")
    assert page.status_code == 200
    assert "Chan Dara A" in page.text and "Chan Dara B" in page.text
    assert "stop working" in page.text  # printing again voids the earlier cards: the page says so
    paths = await _printed_card_paths(client, cohort.id, tmp_path)
    assert len(paths) == 2  # one card per trainee without a login
    await post_form(client, "/logout")

    await use_english(client)
    form = await client.get(paths[0])
    assert form.status_code == 200 and "Chan Dara A" in form.text
    answer = await post_form(
        client, paths[0], {"phone": "០១២ ៧៧៧ ៨៨៨", "password": PASSWORD, "repeat": PASSWORD}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/me"
    assert (await client.get("/me")).status_code == 200  # signed in, as a trainee
    user = (await db.execute(select(User).where(User.trainee_id == without[0].id))).scalar_one()
    assert user.phone == "+85512777888" and user.email is None
    roles = (await db.execute(select(UserRole.role).where(UserRole.user_id == user.id))).scalars().all()
    assert roles == ["trainee"]
    actions = (await db.execute(select(AuditEntry.action))).scalars().all()
    assert actions.count("trainee.sign_in_card_issued") == 2 and "user.create_by_sign_in_card" in actions

    await post_form(client, "/logout")
    await sign_in(client, "012 777 888", PASSWORD)  # the phone now signs in


async def test_a_card_used_twice_says_so_and_changes_nothing(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    trainer = await make_user(db, [Role.trainer])
    cohort = await _cohort(db, [trainer.id], [await make_trainee(db)])
    await sign_in(client, trainer.email)
    (path,) = await _printed_card_paths(client, cohort.id, tmp_path)
    await post_form(client, "/logout")
    first = await post_form(client, path, {"phone": "", "password": PASSWORD, "repeat": PASSWORD})
    assert first.status_code == 303
    await post_form(client, "/logout")
    await use_english(client)
    users = await _count(db, User)
    again = await client.get(path)
    assert again.status_code == 410 and "already been used" in again.text
    values = {"phone": "097 111 2222", "password": PASSWORD, "repeat": PASSWORD}
    second = await post_form(client, path, values)
    assert second.status_code == 410 and "already been used" in second.text
    assert await _count(db, User) == users
    assert (await client.get("/me")).status_code == 303  # not signed in


async def test_an_expired_card_says_so_and_changes_nothing(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    trainer = await make_user(db, [Role.trainer])
    cohort = await _cohort(db, [trainer.id], [await make_trainee(db)])
    await sign_in(client, trainer.email)
    (path,) = await _printed_card_paths(client, cohort.id, tmp_path)
    await post_form(client, "/logout")
    card = await db.get(SignInCard, hash_token(path.rsplit("/", 1)[1]))
    assert card is not None
    assert timedelta(days=13, hours=23) < card.expires_at - utcnow() <= timedelta(days=14)
    await db.execute(update(SignInCard).values(expires_at=utcnow() - timedelta(minutes=1)))
    await db.commit()
    await use_english(client)
    assert "has expired" in (await client.get(path)).text
    refused = await post_form(client, path, {"phone": "", "password": PASSWORD, "repeat": PASSWORD})
    assert refused.status_code == 410 and "has expired" in refused.text
    assert await _count(db, User) == 1  # the trainer only


async def test_printing_again_voids_the_earlier_unused_cards(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    trainer = await make_user(db, [Role.trainer])
    cohort = await _cohort(db, [trainer.id], [await make_trainee(db)])
    await sign_in(client, trainer.email)
    await use_english(client)
    (old,) = await _printed_card_paths(client, cohort.id, tmp_path)
    (new,) = await _printed_card_paths(client, cohort.id, tmp_path)
    assert old != new
    assert "replaced by a newer one" in (await client.get(old)).text
    assert (await client.get(new)).status_code == 200


async def test_the_code_typed_by_hand_is_read_forgivingly(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    trainer = await make_user(db, [Role.trainer])
    cohort = await _cohort(db, [trainer.id], [await make_trainee(db)])
    await sign_in(client, trainer.email)
    (path,) = await _printed_card_paths(client, cohort.id, tmp_path)
    code = path.rsplit("/", 1)[1]
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:].lower()} "
    opened = await post_form(client, "/card", {"code": typed})
    assert opened.status_code == 303 and opened.headers["location"] == path
    await use_english(client)
    wrong = await post_form(client, "/card", {"code": "12345"})
    assert wrong.status_code == 422 and "not a card code" in wrong.text
    unknown = await client.get("/card/" + "0" * 12)
    assert unknown.status_code == 410 and "No sign-in card has this code" in unknown.text


async def test_a_bad_password_or_phone_keeps_the_card_and_saves_nothing(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    trainer = await make_user(db, [Role.trainer])
    taken = await make_user(db, [Role.trainer], phone="097 555 4444")
    cohort = await _cohort(db, [trainer.id], [await make_trainee(db, phone=None)])
    await sign_in(client, trainer.email)
    (path,) = await _printed_card_paths(client, cohort.id, tmp_path)
    await post_form(client, "/logout")
    await use_english(client)
    differ = await post_form(client, path, {"phone": "012 1", "password": PASSWORD, "repeat": "other"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    no_phone = await post_form(client, path, {"phone": "", "password": PASSWORD, "repeat": PASSWORD})
    assert no_phone.status_code == 422 and "Write your phone number" in no_phone.text
    assert taken.phone is not None
    clash = await post_form(client, path, {"phone": "097 555 4444", "password": PASSWORD, "repeat": PASSWORD})
    assert clash.status_code == 422 and "Another login already has this phone number" in clash.text
    assert await _count(db, User) == 2
    assert (await client.get(path)).status_code == 200  # still usable


async def test_a_trainer_of_another_cohort_is_refused(client, db):
    trainer = await make_user(db, [Role.trainer])
    other = await make_user(db, [Role.trainer])
    cohort = await _cohort(db, [trainer.id], [await make_trainee(db)])
    await sign_in(client, other.email)
    assert (await client.get(f"/cohorts/{cohort.id}/sign-in-cards")).status_code == 403
    assert (await post_form(client, f"/cohorts/{cohort.id}/sign-in-cards")).status_code == 403
    assert await _count(db, SignInCard) == 0


async def test_an_admin_prints_cards_for_any_cohort_and_none_when_everyone_has_a_login(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    admin = await make_user(db, [Role.admin])
    trainee_user = await make_user(db, [Role.trainee])
    cohort = await _cohort(db, [], [await db.get(Trainee, trainee_user.trainee_id)])
    await sign_in(client, admin.email)
    await use_english(client)
    page = await client.get(f"/cohorts/{cohort.id}/sign-in-cards")
    assert "Every trainee of this cohort has a login already" in page.text
    refused = await post_form(client, f"/cohorts/{cohort.id}/sign-in-cards")
    assert refused.status_code == 409
    assert await _count(db, SignInCard) == 0


async def test_a_card_stops_working_once_an_admin_gave_the_trainee_a_login(client, db, tmp_path):
    require("pdftoppm", "zbarimg")
    trainer = await make_user(db, [Role.trainer])
    trainee = await make_trainee(db)
    cohort = await _cohort(db, [trainer.id], [trainee])
    await sign_in(client, trainer.email)
    (path,) = await _printed_card_paths(client, cohort.id, tmp_path)
    await post_form(client, "/logout")
    await make_user(db, [Role.trainee], trainee_id=trainee.id)
    await use_english(client)
    assert "already been used" in (await client.get(path)).text
    refused = await post_form(client, path, {"phone": "", "password": PASSWORD, "repeat": PASSWORD})
    assert refused.status_code == 410
    assert await _count(db, User) == 2
