"""Scheduled work: the `nisa scheduler` process, its jobs and the record of their runs."""
