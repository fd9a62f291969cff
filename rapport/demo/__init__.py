"""Demo data: ``rapport demo --contacts N --seed S`` fills the database with a realistic CRM."""
