"""Study sessions: RSVPs, waitlists, reminders, recurrence, export."""
