"""Answer a research question with a real model that plans by calling the query tool.

The model is given the question, the vocabulary and one tool, ``query_interactions``,
whose arguments are a semantic query; each call is validated and run like an API request,
and its rows (or the problems with it) go back to the model. Its final text is then held
to the results: every number and date must be one the queries returned or asked for. One
retry is allowed; after that the answer is the figures alone, never the model's numbers.
"""

import json
from dataclasses import replace
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage

from pipelines.content.facts import ground, unbacked
from pipelines.content.prompts import data_block
from pipelines.content.providers import ChatProvider
from pipelines.research.answers import CITATIONS
from pipelines.research.assistant import Outcome, ResearchPrompt
from pipelines.research.queries import InvalidQuery, build_query
from repository.semantic import (
    DIMENSIONS,
    DIRECTIONS,
    GRANULARITIES,
    MAX_LIMIT,
    MEASURES,
    OPERATORS,
    AbstractSemanticRepository,
    QueryResult,
    SemanticQuery,
)

MAX_ROUNDS = 4  # model turns that may call the tool before an answer is due
MAX_ROWS_SHOWN = 200  # rows of one result sent back to the model
TOOL_NAME = "query_interactions"
QUERY_TOOL = {
    "type": "function",
    "function": {
        "name": TOOL_NAME,
        "description": "Count interactions or distinct customers, grouped by dimensions and "
        "period, filtered, ordered and limited. Returns the rows.",
        "parameters": {
            "type": "object",
            "properties": {
                "measures": {"type": "array", "items": {"enum": list(MEASURES)}},
                "dimensions": {"type": "array", "items": {"enum": list(DIMENSIONS)}},
                "time": {
                    "type": "object",
                    "properties": {
                        "granularity": {"enum": list(GRANULARITIES)},
                        "from": {"type": "string", "format": "date"},
                        "to": {"type": "string", "format": "date"},
                    },
                },
                "filters": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "dimension": {"enum": list(DIMENSIONS)},
                            "op": {"enum": list(OPERATORS)},
                            "values": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["dimension", "values"],
                    },
                },
                "order": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "by": {"type": "string"},
                            "direction": {"enum": list(DIRECTIONS)},
                        },
                        "required": ["by"],
                    },
                },
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
        },
    },
}


def tool_model(provider: ChatProvider) -> ChatProvider:
    """Return the provider with its model bound to the query tool (retries kept)."""
    model: Any = provider.model
    if hasattr(model, "bind_tools"):
        return replace(provider, model=model.bind_tools([QUERY_TOOL]))
    inner = model.bound  # a RunnableRetry around the chat model (the ollama provider)
    bound = inner.bind_tools([QUERY_TOOL]).with_retry(
        retry_if_exception_type=model.retry_exception_types,
        stop_after_attempt=model.max_attempt_number,
        wait_exponential_jitter=model.wait_exponential_jitter,
    )
    return replace(provider, model=bound)


def _opening(question: str, semantic: AbstractSemanticRepository, prompt: ResearchPrompt):
    vocabulary = semantic.vocabulary()
    listed = {"measures": list(MEASURES), "dimensions": list(DIMENSIONS), **vocabulary.values}
    system = prompt.system.format(
        vocabulary=data_block(listed),
        first_day=vocabulary.first_day.isoformat() if vocabulary.first_day else "unknown",
        last_day=vocabulary.last_day.isoformat() if vocabulary.last_day else "unknown",
    )
    return [
        SystemMessage(system.strip()),
        HumanMessage(prompt.human.format(question=data_block(question)).strip()),
    ]


def _call_tool(
    args: dict[str, Any], semantic: AbstractSemanticRepository, runs: list, rejected: list
) -> str:
    try:
        query = build_query(args, semantic.vocabulary(), semantic.customer_exists)
    except InvalidQuery as error:
        rejected.append({"arguments": args, "problems": error.problems})
        return json.dumps({"error": error.message})
    result = semantic.run(query)
    runs.append((query, result))
    return json.dumps(
        {"rows": result.rows[:MAX_ROWS_SHOWN], "row_count": len(result.rows)}, default=str
    )


def _converse(messages: list[BaseMessage], model: ChatProvider, semantic, runs, rejected) -> str:
    """Let the model call the tool until it answers in text; return that text."""
    for _ in range(MAX_ROUNDS):
        reply = model.ask(messages)
        messages.append(reply)
        calls = getattr(reply, "tool_calls", None) or []
        if not calls:
            return reply.text
        for call in calls:
            content = _call_tool(call.get("args") or {}, semantic, runs, rejected)
            messages.append(ToolMessage(content, tool_call_id=call.get("id") or TOOL_NAME))
    return ""


def _figures(query: SemanticQuery, result: QueryResult) -> list[dict[str, Any]]:
    keys = [c for c in query.columns() if c not in query.measures]
    figures = []
    for row in result.rows:
        label = " ".join(str(row[k]) for k in keys)
        for measure in query.measures:
            name = f"{label} {measure}".strip() if len(query.measures) > 1 or not label else label
            figures.append({"label": name, "value": row[measure]})
    return figures


def answer_with_tools(
    question: str,
    semantic: AbstractSemanticRepository,
    provider: ChatProvider,
    prompt: ResearchPrompt,
) -> Outcome:
    """Answer through the model's tool calls; check its text against the results."""
    messages = _opening(question, semantic, prompt)
    runs: list[tuple[SemanticQuery, QueryResult]] = []
    rejected: list[dict[str, Any]] = []
    text = _converse(messages, tool_model(provider), semantic, runs, rejected)
    queries = [
        {"label": f"call {i + 1}", "query": q.as_dict(), "source": r.source}
        for i, (q, r) in enumerate(runs)
    ]
    plan: dict[str, Any] = {"kind": "tool_calling", "queries": queries, "rejected": rejected}
    if not runs:
        reason = "The model did not query the data, so no answer is given."
        return Outcome(False, reason, [], queries, [], [], plan)
    grounding = ground([[r.rows for _, r in runs], queries])
    channels = frozenset(semantic.vocabulary().values.get("channel", ()))
    problems = unbacked(text, grounding, channels) if text.strip() else ["no answer text"]
    plan["problems"] = [problems]
    if problems:
        feedback = (
            f"Your answer states {', '.join(problems)}, which the query results do not contain. "
            "Answer again with only numbers and dates from the results."
        )
        text = provider.ask([*messages, HumanMessage(feedback)]).text
        problems = unbacked(text, grounding, channels) if text.strip() else ["no answer text"]
        plan["problems"].append(problems)
    last_query, last_result = runs[-1]
    figures = _figures(last_query, last_result)
    if problems:  # the numbers-only answer: nothing the model wrote
        text = "; ".join(f"{f['label']}: {f['value']}" for f in figures) or "No rows matched."
    data = [
        {**({"step": q["label"]} if len(runs) > 1 else {}), **row}
        for q, (_, r) in zip(queries, runs, strict=True)
        for row in r.rows
    ]
    citations = semantic.examples(last_query, CITATIONS)
    return Outcome(True, text, figures, queries, data, citations, plan)
