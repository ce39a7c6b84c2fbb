#!/bin/sh
# What the official image's defaults give (listeners on every address, the default user from the
# environment); the mounted conf.d files add CoffeeMesh's settings.
set -eu
cat >/etc/rabbitmq/conf.d/10-defaults.conf <<CONF
loopback_users.guest = false
listeners.tcp.default = 5672
management.tcp.port = 15672
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
default_user_tags.administrator = true
CONF
chmod 0644 /etc/rabbitmq/conf.d/10-defaults.conf
exec "$@"
