DROP TABLE insights.opt_outs;
DROP TABLE insights.consent_events;
