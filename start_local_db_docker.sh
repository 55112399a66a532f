#!/usr/bin/env bash
# Start only the PostgreSQL service of docker-compose.yml and wait until it accepts
# connections, then print the DATABASE_URL to use from this machine.
#
#   ./start_local_db_docker.sh                   # progress on stderr, export line on stdout
#   eval "$(./start_local_db_docker.sh)"         # start it and export DATABASE_URL here
#
# Environment:
#   INSIGHTS_DB_PORT   host port published on 127.0.0.1 (default 5432; compose reads it too)
#   DB_WAIT_SECONDS    how long to wait for the database (default 60)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

port="${INSIGHTS_DB_PORT:-5432}"
wait_seconds="${DB_WAIT_SECONDS:-60}"
export INSIGHTS_DB_PORT="$port"

say() { printf '%s\n' "$*" >&2; }

# Prefer the Docker CLI plugin, then the standalone v1 binary, then Podman.
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
elif command -v podman >/dev/null 2>&1 && podman compose version >/dev/null 2>&1; then
    compose=(podman compose)
else
    say "error: none of 'docker compose', 'docker-compose' or 'podman compose' is available"
    exit 1
fi

# Ask the engine first: without a daemon, docker-compose v1 answers with a Python traceback.
engine=docker
[[ ${compose[0]} == podman ]] && engine=podman
if command -v "$engine" >/dev/null 2>&1 && ! "$engine" info >/dev/null 2>&1; then
    say "error: no $engine daemon answers; start Docker (or Podman) and run this again"
    exit 1
fi

say "Starting the database with: ${compose[*]} up -d --build db"
# Keep compose's output for a failure; one line of it is enough to act on.
up_log="$(mktemp)"
trap 'rm -f "$up_log"' EXIT
if ! "${compose[@]}" up -d --build db >"$up_log" 2>&1; then
    say "error: '${compose[*]} up' failed: $(grep -v '^[[:space:]]*$' "$up_log" | tail -n 1)"
    exit 1
fi

# Ask the server itself, over TCP inside the container (the same test as the compose
# healthcheck). This works with every compose tool, including Podman without systemd.
say "Waiting up to ${wait_seconds}s for PostgreSQL to accept connections..."
deadline=$((SECONDS + wait_seconds))
until "${compose[@]}" exec -T db pg_isready -q -h 127.0.0.1 -U insights -d insights >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
        say "error: the database was not ready after ${wait_seconds}s; its last log lines:"
        "${compose[@]}" logs --tail 30 db >&2 || true
        exit 1
    fi
    sleep 2
done

say "The database is ready. Apply the migrations with 'insights db upgrade' after exporting:"
printf 'export DATABASE_URL=postgresql://insights:insights@127.0.0.1:%s/insights\n' "$port"
