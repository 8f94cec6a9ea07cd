"""The scheduler machinery: one process per deployment, a lock, job runs recorded, schedules in words. Which
jobs exist is decided by the composition root."""
