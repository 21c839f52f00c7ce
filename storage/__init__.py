"""Storage: the durable record of every request, and the only package that talks to the database.

Rules:
- Only this package imports SQLModel or SQLAlchemy. Callers get frozen values or table rows back, never a query.
- Every change of a request and its audit event are written in the same transaction, so they always agree.
- Instants are aware datetimes in UTC on the way out, whatever the database.
- Dependencies are parameters: the `Database` (engine and sessions) and the current instant are passed in.

Modules: `engine` (URLs, engines, transactions), `errors`, `kinds` (the words stored in text columns),
`columns` (UTC instants), `tables` (the schema), `migrate` (Alembic), `numbers` (SR numbers), `audit`,
`people`, `tickets`, `deadlines`, `messages` (and attachment rows), `pauses`, `service_events` (outages,
maintenance), `inbox`, `outbox`, `sweeps` (claiming due tickets), `leases` and `upsert` (shared by the
queues), `attachments` (the file store), `export` (JSON lines).
"""
