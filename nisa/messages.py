"""Every kind of email, made known to the outbox by the composition root (the outbox imports no package)."""

from certificates import messages as certificate_messages
from foundation.outbox import kinds
from people import messages as people_messages
from training import messages as training_messages


def register_message_kinds() -> None:
    kinds.register(*people_messages.KINDS, *training_messages.KINDS, *certificate_messages.KINDS)
