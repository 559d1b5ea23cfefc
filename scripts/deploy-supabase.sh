#!/usr/bin/env bash
# Deploys the pending migrations to a Supabase (or any PostgreSQL) database,
# with every check in front of it. The runbook (docs/runbook-supabase.md) says
# when and how to use it; CI runs it from .github/workflows/migrations.yml.
#
#   DATABASE_URL='postgres://…?sslmode=verify-full&sslrootcert=…' scripts/deploy-supabase.sh [--yes] [--allow-insecure] [-- <migrate options>]
#
# Steps, in order; the first failure stops the deploy with a non-zero exit:
#   1. DATABASE_URL must be set
#   2. connection and TLS: refuses plain TCP to a non-local host unless --allow-insecure
#   3. dry run of the plan: refuses a transaction pooler (port 6543, pgbouncer=true)
#      when a pending migration must run outside a transaction
#   4. prints the status and the SQL the plan will run
#   5. migrate lint (PostgreSQL safety rules) of the pending migrations
#   6. confirmation (a terminal, or --yes)
#   7. migrate latest (each migration under the migration lock)
#   8. migrate drift: the schema must be what the migrations build
#   9. the final status
# Exit codes are the CLI's (1 failed, 2 usage/config/refused plan, 3 lint/drift
# found something, 4 refused by database state); the script's own refusals exit 2.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: DATABASE_URL=postgres://... scripts/deploy-supabase.sh [--yes] [--allow-insecure] [-- <migrate options>]
  --yes              do not ask before applying (CI)
  --allow-insecure   allow a connection without TLS to a non-local host
  -- <options>       passed to every migrate call, e.g. -- --dir supabase/migrations (relative to the repository root)
EOF
}

yes=0
allow_insecure=0
extra=()
while (($# > 0)); do
  case "$1" in
    -y | --yes) yes=1 ;;
    --allow-insecure) allow_insecure=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    --)
      shift
      extra=("$@")
      break
      ;;
    *)
      echo "error: unknown option $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NODE_ENV=production

step() { printf '\n== [%s/9] %s\n' "$1" "$2"; }
fail() {
  local code="$1"
  shift
  printf 'deploy stopped: %s\n' "$*" >&2
  exit "$code"
}

# The CLI (tsx scripts/migrate.ts), from the repository root, never regenerating types
# during a deploy. The installed tsx directly when there is one: npx costs a second per call.
tsx=(npx --no-install tsx)
[[ -x "$root/node_modules/.bin/tsx" ]] && tsx=("$root/node_modules/.bin/tsx")
migrate() {
  (cd "$root" && "${tsx[@]}" scripts/migrate.ts --no-codegen "${extra[@]}" "$@")
}

# ---------------------------------------------------------------------------
step 1 'DATABASE_URL'
if [[ -z "${DATABASE_URL:-}" ]]; then
  fail 2 'DATABASE_URL is not set; export the database URL (in CI: the SUPABASE_DB_URL secret)'
fi
export DATABASE_URL
# Host and TLS parameters only: the password is never printed.
if ! url_info="$(node -e '
  const u = new URL(process.env.DATABASE_URL);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new Error("not a postgres:// URL");
  const p = u.searchParams;
  console.log([u.hostname.replace(/^\[|\]$/g, "") || "-", p.get("sslmode") || "-", p.get("ssl") || "-", p.get("sslrootcert") ? "yes" : "no", u.port || "5432"].join(" "));
' 2>/dev/null)"; then
  fail 2 'DATABASE_URL is not a valid postgres:// URL'
fi
read -r host sslmode ssl rootcert port <<<"$url_info"
echo "host ${host}, port ${port}"

# ---------------------------------------------------------------------------
step 2 'connection and TLS'
case "$host" in
  - | localhost | 127.* | ::1 | /*) local_host=1 ;;
  *) local_host=0 ;;
esac
case "$sslmode" in
  verify-full) tls="sslmode=verify-full: encrypted, certificate and host name verified" ;;
  verify-ca) tls="sslmode=verify-ca: encrypted, certificate verified" ;;
  require) tls="sslmode=require: encrypted (node-postgres 8 verifies it like verify-full; prefer verify-full with sslrootcert)" ;;
  no-verify) tls="sslmode=no-verify: encrypted, but the server is not verified" ;;
  *)
    if [[ "$ssl" == true || "$ssl" == 1 ]]; then
      tls="ssl=true: encrypted, verified against the system CAs"
    else
      tls=""
    fi
    ;;
esac
if [[ -n "$tls" ]]; then
  echo "TLS: ${tls}$([[ "$rootcert" == yes ]] && echo ', with sslrootcert')"
elif ((local_host)); then
  echo "TLS: off (sslmode=${sslmode}); allowed for the local host ${host}"
elif ((allow_insecure)); then
  echo "warning: TLS is off (sslmode=${sslmode}) to ${host}; continuing because of --allow-insecure" >&2
else
  fail 2 "refusing a connection without TLS to ${host} (sslmode=${sslmode}); add sslmode=verify-full&sslrootcert=/path/prod-ca-2021.crt to DATABASE_URL (see docs/runbook-supabase.md), or pass --allow-insecure"
fi
# status --check: 0 nothing pending, 3 pending, 4 dirty/changed/missing; anything else failed.
status_code=0
migrate status --check >/dev/null || status_code=$?
case "$status_code" in
  0) pending=0 ;;
  3) pending=1 ;;
  4)
    migrate status || true
    fail 4 'the database needs attention first (dirty, changed or missing migrations above); see the runbook'
    ;;
  *) fail "$status_code" "cannot read the migration status of ${host} (exit ${status_code})" ;;
esac
echo "connected to ${host}"

# ---------------------------------------------------------------------------
step 3 'plan (dry run; refuses a transaction pooler for non-transactional migrations)'
plan_code=0
plan="$(migrate latest --dry-run)" || plan_code=$?
if ((plan_code != 0)); then
  fail "$plan_code" "the plan was refused (exit ${plan_code}); see the error above"
fi
echo 'plan accepted'

# ---------------------------------------------------------------------------
step 4 'status and plan'
migrate status
printf '\n%s\n' "$plan"

# ---------------------------------------------------------------------------
step 5 'lint'
lint_code=0
migrate lint || lint_code=$?
if ((lint_code != 0)); then
  fail "$lint_code" "lint found errors (exit ${lint_code}); fix them or suppress one with -- kmigrate-lint-ignore <rule>: <reason>"
fi

# ---------------------------------------------------------------------------
step 6 'confirmation'
if ((pending == 0)); then
  echo 'nothing to apply'
elif ((yes)); then
  echo 'confirmed by --yes'
elif [[ -t 0 ]]; then
  read -r -p "Apply the pending migrations above to ${host}? [y/N] " answer
  [[ "$answer" =~ ^[Yy]([Ee][Ss])?$ ]] || fail 2 'not confirmed; nothing was changed'
else
  fail 2 'no terminal to confirm on; pass --yes'
fi

# ---------------------------------------------------------------------------
step 7 'migrate latest'
if ((pending)); then
  latest_code=0
  migrate latest || latest_code=$?
  if ((latest_code != 0)); then
    migrate status || true
    fail "$latest_code" "migrate latest failed (exit ${latest_code}); the failed migration was rolled back unless it ran outside a transaction (then: runbook, dirty state)"
  fi
else
  echo 'nothing to apply'
fi

# ---------------------------------------------------------------------------
step 8 'drift'
drift_code=0
migrate drift || drift_code=$?
if ((drift_code != 0)); then
  fail "$drift_code" "drift check failed (exit ${drift_code}); the schema differs from what the migrations build"
fi

# ---------------------------------------------------------------------------
step 9 'final status'
migrate status
echo 'deploy finished'
