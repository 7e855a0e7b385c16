"""The HTML shell every domain's pages share: the Jinja2 environment, the
respondent's language and the interface's words in Vietnamese and English, and
cached static files. Templates and static files stay in app/templates and
app/static."""
