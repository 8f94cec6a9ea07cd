"""Training delivery and the application: settings, database, people, auth, CLI."""
