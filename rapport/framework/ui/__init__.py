"""The web UI generated from the record-type declarations: server-rendered templates + htmx."""
