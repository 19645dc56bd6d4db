"""Q&A threads: questions, solutions, search, escalation timers."""
