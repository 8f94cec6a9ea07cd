"""Read and write schemas of training delivery, beside the tables of training/models.py."""
