"""``make bench``: the foundation API benchmark (1,000,000 contacts, gunicorn, HTTP on loopback).

Run ``python -m bench --help`` for options.
"""
