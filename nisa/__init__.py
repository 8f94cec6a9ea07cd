"""The composition root: the app factory, the CLI, the scheduler's job list and demo data. The only package
that knows every other."""
