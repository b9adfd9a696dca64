#!/bin/sh
# The specstore CI gate for any CI system (docs/ci.md): build the registry, check the plans, and diff the registry
# against the base branch read straight from git (no stored snapshot needed). Exits non-zero when any step fails;
# a breaking change is exit 4.
#
#   BASE=origin/main sh examples/ci/check.sh
#
# Settings (environment):
#   BASE      git ref to compare with (default origin/main); in a shallow clone, fetch it first
#   REGISTRY  the registry directory (default registry)
#   PLANS     plan files to check, a shell pattern (default plans/*.yaml; none is fine)
#   FAIL_ON   breaking | unknown | warning (default breaking)
#   SUMMARY   a file the Markdown diff is appended to (default $GITHUB_STEP_SUMMARY, if set)
#   SPEC      how to run spec (default: npx --no-install spec)
#   SPEC_STORE  the store `spec build` writes (default .spec/store)
set -u

BASE=${BASE:-origin/main}
REGISTRY=${REGISTRY:-registry}
PLANS=${PLANS:-plans/*.yaml}
FAIL_ON=${FAIL_ON:-breaking}
SUMMARY=${SUMMARY:-${GITHUB_STEP_SUMMARY:-}}
SPEC=${SPEC:-npx --no-install spec}

status=0
step() {
  if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::group::spec $*"; else echo "+ spec $*"; fi
  $SPEC "$@"
  code=$?
  if [ -n "${GITHUB_ACTIONS:-}" ]; then echo "::endgroup::"; fi
  if [ "$code" -ne 0 ] && [ "$status" -eq 0 ]; then status=$code; fi
  return "$code"
}

# 1. The registry must build: every spec valid, every reference resolved.
step build --registry "$REGISTRY" || exit "$status"

# 2. Every plan must check against its pinned snapshot.
plans=''
for plan in $PLANS; do
  [ -f "$plan" ] && plans="$plans $plan"
done
if [ -n "$plans" ]; then
  # shellcheck disable=SC2086 # one argument per plan file
  step plan check $plans
fi

# 3. What this change does to the registry, compared with the base ref (read from git objects: no checkout, no store).
if [ -n "$SUMMARY" ]; then
  # A failure here (a ref not fetched) is reported by the gate below.
  $SPEC diff --against "git:$BASE" --registry "$REGISTRY" --markdown >>"$SUMMARY" 2>/dev/null || true
fi
step diff --against "git:$BASE" --registry "$REGISTRY" --fail-on "$FAIL_ON"

# 4. Whether it breaks a plan: each plan as it would run on the base's registry and on this one.
for plan in $plans; do
  step plan upgrade "$plan" --against "git:$BASE" --registry "$REGISTRY"
done

exit "$status"
