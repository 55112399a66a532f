-- depends: 0015_campaigns
-- Every question put to the research assistant, with its plan (the semantic queries it
-- ran), the answer, the figures and citations given, and the model and prompt behind it:
-- the audit trail of answers, as insights.generated_content is for generated texts.
CREATE TABLE insights.research_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    question TEXT NOT NULL CHECK (question <> ''),
    answered BOOLEAN NOT NULL,
    answer TEXT NOT NULL,
    plan JSONB NOT NULL,
    figures JSONB NOT NULL,
    citations BIGINT[] NOT NULL,
    model TEXT NOT NULL,
    mock BOOLEAN NOT NULL,
    prompt_version TEXT NOT NULL,
    data_version INTEGER,
    duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0)
);
CREATE INDEX research_log_asked_at ON insights.research_log (asked_at DESC);
