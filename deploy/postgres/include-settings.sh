#!/bin/sh
# Runs once, when the postgres container creates its cluster: the settings in deploy/postgres/coffeemesh.conf
# (mounted as /etc/coffeemesh/postgresql.conf) apply from then on, at every start.
echo "include '/etc/coffeemesh/postgresql.conf'" >>"$PGDATA/postgresql.conf"
