#!/usr/bin/env bash
# Installs a real VS Code for ccc's extension tests on an offline (npm registry + Debian only) Linux box:
# the VS Code server + web workbench inside the `code-server` npm package, Debian's Chromium to show it, playwright-core to drive it.
# Idempotent: with everything present it takes about a second.
#
# Needs: Linux with apt (Debian 12 or Ubuntu), Node 20 or later with npm, the npm registry, and root for apt-get when a
# Debian package below is missing (or install them first yourself). Waits while another apt-get or dpkg holds the
# package lock (up to APT_LOCK_WAIT_S seconds, 600 by default).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
APT_LOCK_WAIT_S="${APT_LOCK_WAIT_S:-600}"

fail() { echo "test/vscode/setup.sh: $*" >&2; exit 1; }

# apt-get that waits while another one (or an unattended upgrade) holds the package lock, instead of failing at once.
apt_get() {
  local waited=0 output
  until output="$(DEBIAN_FRONTEND=noninteractive apt-get "$@" 2>&1)"; do
    local holder
    holder="$(grep -o 'Could not get lock.*' <<<"$output" | head -1)" || { echo "$output" >&2; fail "apt-get $* failed"; }
    [ "$waited" -lt "$APT_LOCK_WAIT_S" ] || fail "$holder — still held after ${waited} s; let that apt-get or dpkg finish, then run this again"
    [ "$waited" -gt 0 ] || echo "another apt-get or dpkg is running ($holder): waiting up to ${APT_LOCK_WAIT_S} s for it to finish" >&2
    sleep 5
    waited=$((waited + 5))
  done
}

node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null ||
  fail "needs Node 20 or later on PATH (found: $(node --version 2>/dev/null || echo none))"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"   # VS Code 1.100.3; the last code-server whose engines.node is 20
PLAYWRIGHT_CORE_VERSION="${PLAYWRIGHT_CORE_VERSION:-1.65.1}"

# chromium hosts the workbench; libkrb5-dev has the headers VS Code's `kerberos` module builds against; rg backs workspace search;
# unzip unpacks the VSIX for `npm run test:vsix`.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
[ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
command -v rg >/dev/null || missing+=(ripgrep)
command -v unzip >/dev/null || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || fail "needs these Debian packages, and apt-get to install them: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || fail "needs root to install ${missing[*]}: run it with sudo, or apt-get install them first"
  echo "installing Debian packages: ${missing[*]}"
  apt_get update -qq
  apt_get install -y -qq "${missing[@]}"
fi

export TMPDIR="$PWD/.tmp"; mkdir -p "$TMPDIR"

# code-server's postinstall compiles native modules and fetches rg from GitHub, which fails offline:
# - @vscode/ripgrep 1.15.11 first looks in $TMPDIR/vscode-ripgrep-cache-1.15.11/, so seed it with Debian's rg;
# - npm_config_unsafe_perm: the postinstall refuses to run as root without it;
# - npm_config_yes: node-pty's postinstall runs `npx node-gyp`, and this machine's npmrc says yes=false.
mkdir -p "$TMPDIR/vscode-ripgrep-cache-1.15.11"
tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
have="$(node -p 'try { require("./node_modules/code-server/package.json").version } catch { "" }')"
if [ "$have" != "$CODE_SERVER_VERSION" ] || [ ! -e node_modules/code-server/lib/vscode/node_modules.asar ] ||
   [ ! -d node_modules/playwright-core ]; then
  start=$(date +%s)
  if ! npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --save-exact --foreground-scripts \
        "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_CORE_VERSION" > .install.log 2>&1; then
    tail -40 .install.log; echo "code-server install failed; full log: $PWD/.install.log" >&2; exit 1
  fi
  echo "code-server $CODE_SERVER_VERSION installed in $(( $(date +%s) - start ))s"
fi
VS="$PWD/node_modules/code-server/lib/vscode"
echo "VS Code $(node -p "require('$VS/package.json').version") server: $VS (node $(node --version))"
