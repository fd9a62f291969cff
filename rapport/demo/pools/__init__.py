"""Word pools the demo generators sample from with a seeded RNG.

Built once per process from Faker's provider lists (names) and small hand-written lists
(cities, streets, companies, phrases); sampling is a list index, never a Faker call.
"""
