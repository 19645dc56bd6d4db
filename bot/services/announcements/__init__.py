"""Announcements: mentor posts with previews, pings, schedules, publishing and edits,
and the weekly digest."""
