"""Outgoing webhooks (docs/integrations.md, "Outgoing webhooks"): what happens to requests and outages, POSTed as
signed JSON to the endpoints of the desk config's `[[webhooks]]`, through the outgoing HTTP channel
(bot.integrations.calls).

Modules: `payload` (the events' JSON and their ids), `signing` (the signature headers), `say` (the saying that
stores one call per subscribed endpoint in the transaction of the happening), `caller` (signs each call when it
is sent).
"""
