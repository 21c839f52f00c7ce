"""Slack: receiving events, commands and interactions (stored before they are acknowledged), and Slack's words."""
