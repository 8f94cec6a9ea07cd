"""The kinds of email the system sends, registered by the packages that send them (the outbox knows none)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MessageKind:
    """Stored in `OutboxMessage.template`; `templates/email/<value>.txt` and `.html` render it."""

    value: str
    subject: (
        str  # a catalog msgid; its placeholders are the message's context values in the recipient's language
    )
    label: str  # a catalog msgid: what the admin outbox page calls this kind

    def __str__(self) -> str:
        return self.value


KINDS: dict[str, MessageKind] = {}


def register(*kinds: MessageKind) -> None:
    """Make kinds known to the renderer and the outbox page; the composition root calls this at start-up."""
    for kind in kinds:
        KINDS[kind.value] = kind


def kind_of(template: str) -> MessageKind:
    """The registered kind of a stored message; a KeyError is a bug (a kind nobody registered)."""
    return KINDS[template]


def kind_names() -> dict[str, str]:
    return {value: kind.label for value, kind in KINDS.items()}
