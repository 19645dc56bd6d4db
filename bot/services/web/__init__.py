"""Nexus on the web: the servers that publish, members' privacy on the pages, the
archive and sessions as the pages, feeds and API read them, and calendar feeds."""
