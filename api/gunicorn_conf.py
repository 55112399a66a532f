"""gunicorn's settings for this service: ``gunicorn -c python:api.gunicorn_conf api.wsgi:app``.

Requests past these limits never reach the app: gunicorn answers them itself with a short
HTML page of its own (no JSON error shape, no X-Request-ID), see docs/api-design.md.
Bind address, workers and threads stay on the command line, where each deployment sets them.
"""

# The request line ("GET /api/v1/...?... HTTP/1.1"), in bytes; longer: 414. The longest
# legitimate one, a statistics query repeating every filter value, is well under 4 KB.
limit_request_line = 4094
# Header lines per request; more: 431. Browsers and clients send about 10 to 20.
limit_request_fields = 50
# Bytes of one header line; longer: 431. Room for a bearer key and any proxy's headers.
limit_request_field_size = 8190
