#!/bin/sh
# Records what the agent's load sampler reads, once a second, from a running PgBouncer's admin console:
#   record.sh SOCKET_DIR PORT ADMIN_USER SECONDS > file.txt
# Each sample starts with "# sample <ms since the first>", then each command's name and its rows as psql -A prints
# them (header line, then rows; columns separated by '|'). See README.md for how the committed files were recorded.
set -eu
dir=$1 port=$2 user=$3 seconds=$4
start=$(date +%s%3N)
i=0
while [ "$i" -lt "$seconds" ]; do
    now=$(date +%s%3N)
    echo "# sample $((now - start))"
    psql -X -q -h "$dir" -p "$port" -U "$user" -A -F '|' -P footer=off pgbouncer \
        -c '\echo SHOW POOLS' -c 'SHOW POOLS' \
        -c '\echo SHOW STATS_TOTALS' -c 'SHOW STATS_TOTALS' \
        -c '\echo SHOW DATABASES' -c 'SHOW DATABASES'
    i=$((i + 1))
    next=$((start + i * 1000))
    now=$(date +%s%3N)
    [ "$next" -gt "$now" ] && sleep "$(printf '%d.%03d' $(((next - now) / 1000)) $(((next - now) % 1000)))"
done
