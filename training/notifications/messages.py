"""The kinds of email the system sends: each has a subject (a catalog msgid) and a pair of templates."""

import enum

from training.i18n import N_


class MessageKind(enum.StrEnum):
    """Stored in `OutboxMessage.template`; `templates/email/<kind>.txt` and `.html` render it."""

    enrolment_confirmed = "enrolment_confirmed"
    waitlist_promoted = "waitlist_promoted"
    session_reminder = "session_reminder"
    attendance_warning = "attendance_warning"
    certificate_issued = "certificate_issued"
    certificate_expiring = "certificate_expiring"
    certificate_expired = "certificate_expired"
    user_invited = "user_invited"
    password_reset = "password_reset"


# Placeholders are the message's context values in the recipient's language (see rendering.values_for).
SUBJECTS = {
    MessageKind.enrolment_confirmed: N_("You are enrolled: %(course_title)s"),
    MessageKind.waitlist_promoted: N_("A place is free for you: %(course_title)s"),
    MessageKind.session_reminder: N_("Tomorrow: %(course_title)s, cohort %(cohort_code)s"),
    MessageKind.attendance_warning: N_("Attendance below the requirement: %(trainee_name)s, %(cohort_code)s"),
    MessageKind.certificate_issued: N_("Your certificate: %(course_title)s"),
    MessageKind.certificate_expiring: N_("Your certificate expires soon: %(course_title)s"),
    MessageKind.certificate_expired: N_("Your certificate has expired: %(course_title)s"),
    MessageKind.user_invited: N_("Your account for NISA Training & Certification"),
    MessageKind.password_reset: N_("Choose a new password for NISA Training & Certification"),
}

# What the admin outbox page calls each kind.
KIND_NAMES = {
    MessageKind.enrolment_confirmed: N_("Enrolment confirmed"),
    MessageKind.waitlist_promoted: N_("Promoted from the waitlist"),
    MessageKind.session_reminder: N_("Session reminder"),
    MessageKind.attendance_warning: N_("Attendance warning"),
    MessageKind.certificate_issued: N_("Certificate issued"),
    MessageKind.certificate_expiring: N_("Certificate expiry reminder"),
    MessageKind.certificate_expired: N_("Certificate expired"),
    MessageKind.user_invited: N_("Invitation"),
    MessageKind.password_reset: N_("Password reset"),
}
