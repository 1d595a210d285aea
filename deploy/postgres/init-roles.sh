#!/bin/sh
# Run once by the postgres image when it creates its data directory (docker-entrypoint-initdb.d):
# the owner role, which owns the database and runs the migrations, and the application's role,
# which serves. After each migrate the owner runs `manage.py grant_app_role zgc_app`
# (docs/deployment.md, "Database roles and the audit trail").
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$ZGC_OWNER_PASSWORD" -v app_password="$ZGC_APP_PASSWORD" <<'SQL'
CREATE ROLE zgc_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE zgc_app LOGIN PASSWORD :'app_password';
CREATE DATABASE zgc OWNER zgc_owner;
REVOKE ALL ON DATABASE zgc FROM PUBLIC;
GRANT CONNECT ON DATABASE zgc TO zgc_app;
\connect zgc
-- PostgreSQL 15: only the owner creates in the schema.
ALTER SCHEMA public OWNER TO zgc_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
