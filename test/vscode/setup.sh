#!/usr/bin/env bash
# Installs a real VS Code for ccc's extension tests on an offline (npm registry + Debian only) Linux box:
# the VS Code server + web workbench inside the `code-server` npm package, Debian's Chromium to show it, playwright-core to drive it.
# Idempotent: with everything present it takes about a second.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
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
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
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
