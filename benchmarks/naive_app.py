"""The baseline for `make bench-api`: the same aggregation done in pandas on every request.

Reads every clean interaction with its customer type and product, then groups in pandas:
what the statistics endpoint would cost without the rollup and SQL aggregation.
"""

import os

import pandas as pd
from flask import Flask, jsonify
from sqlalchemy import create_engine

from repository.engine import driver_url
from repository.model import UNKNOWN_SQL

ROWS = f"""
    SELECT COALESCE(p.name, {UNKNOWN_SQL}) AS product,
           COALESCE(c.customer_type, {UNKNOWN_SQL}) AS customer_type
    FROM insights.interactions i
    LEFT JOIN insights.customers c USING (customer_id)
    LEFT JOIN insights.product_months pm ON pm.month = date_trunc('month', i.occurred_at)::date
    LEFT JOIN insights.products p ON p.id = pm.product_id
"""  # nosec B608 # built from constants; values are bound

app = Flask(__name__)
engine = create_engine(driver_url(os.environ["DATABASE_URL"]))


@app.get("/api/v1/statistics/product-interactions")
def product_interactions():
    frame = pd.read_sql(ROWS, engine)
    counts = frame.groupby(["product", "customer_type"]).size().reset_index(name="interactions")
    return jsonify({"data": counts.to_dict("records")})
