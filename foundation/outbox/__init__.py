"""The outbox: email written in the transaction of its event, rendered in the recipient's language and sent by
a job. The kinds of message are registered by the packages that send them."""
