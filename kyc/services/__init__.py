"""kyc writes, by area: customers, cases, pipeline, review (officers), webhooks."""
