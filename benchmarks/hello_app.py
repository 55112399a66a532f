"""The ceiling for `make bench-api`: a Flask app that only says hello, served the same way."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return {"hello": "world"}


@app.get("/health/live")
def live():
    return {"status": "ok"}
