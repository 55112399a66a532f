"""The research box: a question in; the answer, its figures, a chart, its queries, citations."""

from flask import render_template, request
from marshmallow import EXCLUDE

from api.console import blp
from api.console.forms import load
from api.console.session import need
from api.research import research_assistant
from api.research_schemas import ResearchQuestionSchema
from repository.errors import InsightsError


def answer_chart(answer: dict) -> dict | None:
    """Return a line chart when the answer's rows are a series over periods, else None."""
    rows = answer.get("data") or []
    if len(rows) < 2 or not all("period" in row for row in rows):
        return None
    numeric = [k for k, v in rows[0].items() if k != "period" and isinstance(v, int | float)]
    if not numeric:
        return None
    labels = [str(row["period"]) for row in rows]
    series = [{"label": name, "data": [row.get(name) for row in rows]} for name in numeric]
    return {"type": "line", "labels": labels, "series": series}


@blp.route("/research", methods=["GET", "POST"])
def research():
    """Show the question box; on a question, the assistant's answer and its evidence."""
    need("stats:read")
    if request.method == "GET":
        return render_template("console/research.html", answer=None, problems=[])
    args, problems = load(ResearchQuestionSchema(unknown=EXCLUDE), source="form")
    answer = None
    if not problems:
        try:
            answer = research_assistant().ask(args["question"])
        except InsightsError as error:
            problems = [error.message]
    page = render_template(
        "console/research.html", answer=answer, problems=problems,
        question=request.form.get("question", ""),
        chart=answer_chart(answer) if answer else None,
    )  # fmt: skip
    return page, 422 if problems else 200
