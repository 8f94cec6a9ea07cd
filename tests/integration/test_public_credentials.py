"""The public credential files: a credential download is a lookup like any other (counted, logged,
rate-limited), and a status list is signed once until a status changes, which shows at the next request on
every instance."""

import json

from certificates import keys
from certificates.codes import grouped
from certificates.models import CertificateStatus
from certificates.services.issuance import status_position
from certificates.status_list import decode_status_list, is_set
from foundation.clock import utcnow
from nisa.app import create_app
from tests.certificate_factories import make_certificate
from tests.integration.test_verification import close, lookups, strict_apps, strict_settings, visiting  # noqa: F401


async def test_credential_downloads_are_logged_and_limited_like_lookups(db, strict_apps):  # noqa: F811
    certificate = await make_certificate(db)
    app = strict_apps[0]
    async with visiting(app) as visitor, visiting(app, ip="203.0.113.99") as neighbour:
        assert (await visitor.get(f"/v/{grouped(certificate.code)}/credential.json")).status_code == 200
        assert (await visitor.get("/v/AAAA-BBBB-CCCC-DDDD/credential.json")).status_code == 404
        assert (await visitor.get("/v/nonsense/credential.json")).status_code == 404
        refused = await visitor.get(f"/v/{grouped(certificate.code)}/credential.json")
        other = await neighbour.get(f"/v/{certificate.code}/credential.json")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert other.status_code == 200
    logged = await lookups(db, app)
    assert [(row.channel, row.result) for row in logged] == [
        ("credential", "valid"),
        ("credential", "not_found"),
        ("credential", "malformed"),
        ("credential", "valid"),
    ]


def revoked_bit(answer, index: int) -> bool:  # type: ignore[no-untyped-def]
    return is_set(decode_status_list(answer.json()["credentialSubject"]["encodedList"]), index)


async def test_the_status_list_is_signed_once_until_a_status_changes_on_any_instance(db, settings):
    keys.create_key(settings.effective_keys_dir)
    certificate = await make_certificate(db)
    number, index = status_position(certificate.id)
    certificate.status_list, certificate.status_index = number, index
    await db.commit()
    first, second = create_app(settings), create_app(settings)
    authority = first.state.authority
    signings = []
    sign = authority._sign_status_list

    def counted(*arguments):  # type: ignore[no-untyped-def]
        signings.append(arguments)
        return sign(*arguments)

    authority._sign_status_list = counted
    try:
        async with visiting(first) as on_first, visiting(second) as on_second:
            before = [await on_first.get(f"/credentials/status/{number}") for _ in range(5)]
            assert len(signings) == 1 and not revoked_bit(before[0], index)
            assert len({json.dumps(answer.json()) for answer in before}) == 1

            certificate.status = CertificateStatus.revoked.value  # an admin on another instance
            certificate.revoked_at, certificate.revoked_reason = utcnow(), "Issued in error."
            await db.commit()
            after = await on_first.get(f"/credentials/status/{number}")
            assert revoked_bit(after, index) and len(signings) == 2
            assert revoked_bit(await on_second.get(f"/credentials/status/{number}"), index)
            assert (await on_first.get(f"/credentials/status/{'9' * 25}")).status_code == 404
    finally:
        await close(first)
        await close(second)
