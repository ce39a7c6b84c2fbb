#!/bin/bash
# Runs once, on the MySQL container's first start: one least-privilege user per service database.
set -euo pipefail
mysql -uroot -p"$MYSQL_ROOT_PASSWORD" <<SQL
CREATE DATABASE IF NOT EXISTS coffee_shop_sales CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE DATABASE IF NOT EXISTS coffeemesh_ingest CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'coffeemesh_oltp'@'%' IDENTIFIED BY '${OLTP_PASSWORD}';
CREATE USER IF NOT EXISTS 'coffeemesh_ingest'@'%' IDENTIFIED BY '${INGEST_PASSWORD}';
GRANT ALL PRIVILEGES ON \`coffee\\_shop\\_sales%\`.* TO 'coffeemesh_oltp'@'%';
GRANT ALL PRIVILEGES ON \`coffeemesh\\_ingest%\`.* TO 'coffeemesh_ingest'@'%';
FLUSH PRIVILEGES;
SQL
