"""SQLite storage: the connection, migrations, and one repository per aggregate."""

from bot.db.database import Database

__all__ = ["Database"]
