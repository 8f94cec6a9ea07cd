"""The roles a login can hold, and their names in the interface."""

import enum

from foundation.i18n import N_


class Role(enum.StrEnum):
    admin = "admin"
    trainer = "trainer"
    trainee = "trainee"


ROLE_NAMES = {Role.admin: N_("Admin"), Role.trainer: N_("Trainer"), Role.trainee: N_("Trainee")}
