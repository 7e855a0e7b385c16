"""What every domain needs: settings, the database (engine, session, the one
commit point), the error classes, the clock, body limits, migrations, CSV reading
and the health checks. Imports no other package of app/."""
