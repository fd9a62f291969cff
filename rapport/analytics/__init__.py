"""Plain-Python analytics over arrays and data frames: no ORM, so it runs on a CSV as well."""
