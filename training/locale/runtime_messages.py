"""Messages that are only built at run time, so the extractor cannot see them in the templates.

The role names are shown with ``_(role.value|title)`` (templates/training/users/); listing them here
keeps "Admin" and "Trainer" in messages.pot and therefore in the Khmer catalog across updates.
This module is never imported.
"""

from training.i18n import N_

ROLE_TITLES = (N_("Admin"), N_("Trainer"), N_("Trainee"))
