"""Frontdesk and the world beyond Slack and email: the outgoing HTTP channel (calls), defect trackers (trackers/),
outgoing webhooks (webhooks/) and on-call paging (paging/); docs/integrations.md."""
