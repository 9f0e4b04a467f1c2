#!/usr/bin/env bash
# One-shot setup run by the superset-init service before the web server and the worker start.
# It takes the same path as `make demo` (xunpan.dashboards.setup_superset): render superset/assets
# into an import bundle whose database URI points at the published serving file, then run
# superset_bootstrap.py, which upgrades the metadata database, syncs roles, creates the admin user
# or resets its password to the generated one, and imports the bundle with overwrite.
# Every step is idempotent, so re-running the service after a `git pull` updates the dashboards.
set -euo pipefail

for name in SUPERSET_ADMIN_USER SUPERSET_ADMIN_PASSWORD XUNPAN_REPO XUNPAN_HOME; do
  if [ -z "${!name:-}" ]; then
    echo "xunpan: $name is not set; secrets come from var/secrets.env (docker compose --env-file var/secrets.env)." >&2
    exit 64
  fi
done

bundle_dir="$(mktemp -d)"
trap 'rm -rf "$bundle_dir"' EXIT

# The renderer needs only the standard library, so the package's source goes on the path for this
# one command instead of being installed into Superset's environment.
PYTHONPATH="$XUNPAN_REPO/src" python -c '
import sys
from pathlib import Path

from xunpan.config import Settings
from xunpan.dashboards.assets import render_bundle

render_bundle(Settings.from_env(), Path(sys.argv[1]))
' "$bundle_dir/xunpan_assets.zip"

# The bootstrap reads the admin login from the environment, never from argv (visible in `ps`).
XUNPAN_SUPERSET_ADMIN_USER="$SUPERSET_ADMIN_USER" XUNPAN_SUPERSET_ADMIN_PASSWORD="$SUPERSET_ADMIN_PASSWORD" \
  python "$XUNPAN_REPO/src/xunpan/dashboards/superset_bootstrap.py" "$bundle_dir/xunpan_assets.zip"
echo "xunpan: Superset metadata, admin user and dashboards are ready."
