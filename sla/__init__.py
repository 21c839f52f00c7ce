"""Frontdesk's pure rules: calendars, durations, policies, triage, clocks, availability and credits.

Nothing here imports the rest of the project, touches a database or Slack, or reads a clock: the current time
is always passed in. The only input read is a policy file the caller names.
"""
