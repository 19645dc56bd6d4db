"""Time: the one parser for user-typed times and durations, wall-clock arithmetic,
timezones, weekly availability, and the injectable clock."""
