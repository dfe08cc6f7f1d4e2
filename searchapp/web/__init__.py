"""The web front end (Flask): pages, JSON API, widget. Built by `searchapp.create_app`."""
