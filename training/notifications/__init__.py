"""Email to people: the outbox written with each event, its rendering, the SMTP sender and reminder jobs."""
