"""Row generators: each yields batches of tuples for the bulk writer, chunk by chunk."""
