"""Monthly reports: SLA compliance per target, availability and service credits (bot.reports.monthly)."""
