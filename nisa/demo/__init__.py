"""Demo and benchmark data: the demo logins and curriculum, a national-size data set."""
