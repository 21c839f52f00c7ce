"""Defect trackers: the tracker-neutral values and service, GitHub Issues and Jira; docs/integrations.md."""
