"""On-call paging: PagerDuty's Events API v2 and Opsgenie's Alert API, driven by the policy's paging steps
(docs/integrations.md, "Paging"; docs/policies.md, "Escalations"). `pages` decides what is sent and when,
`events` writes each pager's calls, `callers` adds the keys at send time."""
