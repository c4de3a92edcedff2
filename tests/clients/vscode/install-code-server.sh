#!/usr/bin/env bash
# Offline-safe install of code-server (real VS Code, web build) from the npm registry.
# No GitHub downloads: code-server's own postinstall fetches ripgrep from api.github.com,
# so it is skipped and its steps are replayed here with Debian's ripgrep.
# (Recipe: ../shared/clients.md, appendix E.)
#
# usage: install-code-server.sh [PREFIX] [VERSION] [NODEDIR]
#   PREFIX   default: $AGENTLS_TEST_CACHE/code-server-$VERSION
#            ($AGENTLS_TEST_CACHE defaults to ${XDG_CACHE_HOME:-~/.cache}/agentls-tests)
#   VERSION  default 4.100.3 (VS Code 1.100.3, the newest code-server that runs on Node 20)
#   NODEDIR  a Node install whose bin/node matches code-server's engines major (default /usr)
# Idempotent: a marker file makes a second call a no-op, so the install happens once per machine.
# Prints the path of the code-server launcher on its last line.
# Needs (apt): build-essential python3 pkg-config libkrb5-dev ripgrep; node 20 + npm.
set -euo pipefail
VER=${2:-4.100.3}
CACHE=${AGENTLS_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agentls-tests}
PREFIX=${1:-$CACHE/code-server-$VER}
NODEDIR=${3:-/usr}
MARKER="$PREFIX/.agentls-installed-$VER"
BIN="$PREFIX/node_modules/code-server/out/node/entry.js"
if [ -f "$MARKER" ] && [ -f "$BIN" ]; then
  echo "code-server $VER already installed in $PREFIX" >&2
  echo "$BIN"
  exit 0
fi
for tool in node npm rg cc make pkg-config python3; do
  command -v "$tool" >/dev/null || { echo "missing prerequisite: $tool (apt-get install build-essential pkg-config libkrb5-dev ripgrep nodejs npm)" >&2; exit 2; }
done
export PATH="$NODEDIR/bin:$PATH"
export npm_config_nodedir="$NODEDIR"   # node-gyp uses the local headers: no download from nodejs.org
export npm_config_yes=true             # a ~/.npmrc with yes=false makes node-pty's `npx node-gyp` abort
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# code-server writes ~/.config/code-server even for --version: keep it inside the prefix
export XDG_CONFIG_HOME="$PREFIX/xdg/config" XDG_DATA_HOME="$PREFIX/xdg/data" XDG_CACHE_HOME="$PREFIX/xdg/cache"
echo "node $(node --version)  npm $(npm --version)  -> $PREFIX" >&2
rm -rf "$PREFIX.partial"
mkdir -p "$PREFIX.partial"
cd "$PREFIX.partial"
echo '{"name":"agentls-code-server-host","private":true}' > package.json
{
  # 1. code-server and its own dependencies, without install scripts
  npm install --ignore-scripts --no-save "code-server@$VER"
  npm rebuild argon2 --build-from-source          # the only native dependency of the wrapper
  # 2. what code-server's postinstall.sh does, minus the GitHub download
  cd node_modules/code-server/lib/vscode
  npm install --omit=dev --ignore-scripts
  mkdir -p node_modules/@vscode/ripgrep/bin
  cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg   # its postinstall sees bin/ and skips
  npm rebuild                                      # node-pty, spdlog, kerberos, native-watchdog... (node-gyp)
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
  (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
  (cd extensions && npm install --omit=dev)
} >&2
cd /
rm -rf "$PREFIX"
mv "$PREFIX.partial" "$PREFIX"
# the built-in extensions keep absolute paths nowhere, so the move is safe; check it runs
node "$BIN" --version >&2
touch "$MARKER"
echo "$BIN"
