"""The bottom layer: settings, database, errors, i18n, templating, forms and HTTP helpers, guards and roles,
audit, the clock, column helpers, paging, file problems, the outbox and the scheduler's machinery.

It imports nothing of ours; what it needs from above (message kinds, jobs) is registered at start-up."""
