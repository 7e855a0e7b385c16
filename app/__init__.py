"""SIPAS survey and satisfaction-index service."""
