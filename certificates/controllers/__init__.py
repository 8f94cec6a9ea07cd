"""The certificates' pages and files. Every route handler of this package is listed here."""

from litestar.types import ControllerRouterHandler

from certificates.controllers.issuance import (
    CertificateAdminController,
    CertificateDownloadController,
    CohortCertificateController,
    EnrolmentCertificateController,
    MyCertificatesController,
    PublicCredentialController,
)
from certificates.controllers.verification import VerificationAdmin, VerificationPages

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    VerificationPages,
    VerificationAdmin,
    CohortCertificateController,
    EnrolmentCertificateController,
    CertificateDownloadController,
    MyCertificatesController,
    CertificateAdminController,
    PublicCredentialController,
]
