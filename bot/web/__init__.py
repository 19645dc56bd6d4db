"""The web server inside the bot: pages, calendar feeds, the read API, health and
metrics (#11). FastAPI on uvicorn, served from the bot's own event loop; it reads
through the services and repositories and never imports discord."""
