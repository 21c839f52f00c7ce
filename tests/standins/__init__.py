"""Loopback stand-ins for the vendors Frontdesk calls (GitHub, Jira, PagerDuty, Opsgenie, webhook receivers)."""
