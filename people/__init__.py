"""People and places: users and sign-in, trainees, organisations, locations."""
