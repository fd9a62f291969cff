#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server on loopback for tests.
#   .ci/pg.sh start PORT DIR   -> prints the DATABASE_URL to use
#   .ci/pg.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
if [ "$cmd" = start ]; then
  port=${2:?port}; dir=${3:?dir}
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  # initdb refuses to run as root: run the server as the unprivileged "nobody"-like user.
  id rapportpg >/dev/null 2>&1 || useradd --system --no-create-home rapportpg 2>/dev/null || true
  chown -R rapportpg "$dir"
  run() { if [ "$(id -u)" = 0 ]; then su rapportpg -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
  run "$bindir/initdb -D $dir/data -U rapport --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  run "$bindir/pg_ctl -D $dir/data -l $dir/log -w -o '-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start" >/dev/null
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U rapport rapport
  echo "postgres://rapport@127.0.0.1:$port/rapport"
elif [ "$cmd" = stop ]; then
  dir=${2:?dir}
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ "$(id -u)" = 0 ]; then su rapportpg -s /bin/sh -c "$bindir/pg_ctl -D $dir/data -m fast stop" >/dev/null || true
  else "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true; fi
fi
