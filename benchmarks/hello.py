"""The baseline of the page benchmark: Flask's hello-world, served by gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
