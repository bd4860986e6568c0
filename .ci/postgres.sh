# Sourced by .ci/run (or by a developer: `source .ci/postgres.sh && pg_start`):
# installs Debian's postgresql package when missing, starts a throwaway
# cluster in a temporary directory as a non-root user, listening only on a
# unix socket there, and exports PAYWIDGET_POSTGRES_DSN for the tests.
# pg_stop stops it and removes the directory; pg_start arranges that on exit.

pg_start() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PG_DIR=$(mktemp -d /tmp/paywidget-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    # initdb refuses root: run the cluster as the package's postgres user
    # (or nobody when there is none).
    local user=postgres
    id -u postgres >/dev/null 2>&1 || user=nobody
    chown "$user" "$PG_DIR"
    as=(runuser -u "$user" --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log"; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c port=5432 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null ||
    { cat "$PG_DIR/server.log"; return 1; }
  PG_BIN=$bin
  PG_AS=("${as[@]}")
  export PAYWIDGET_POSTGRES_DSN="host=$PG_DIR port=5432 user=postgres dbname=postgres sslmode=disable"
  trap pg_stop EXIT
  "$bin/psql" "$PAYWIDGET_POSTGRES_DSN" -Atc 'SELECT version()'
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
