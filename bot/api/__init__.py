"""The read API, `/api/v1` (docs/integrations.md, "Read API"; docs/security.md, "The read API"): bearer tokens
(tokens), the query's parameters (query), the JSON shapes (shapes), the OpenAPI document (document) and the door
that answers on the HTTP side (door, served by bot.process.web)."""
