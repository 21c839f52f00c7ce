"""Monthly reports: SLA compliance per target, availability and service credits (issue 8; bot.reports.monthly)."""
